package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roam.pcm.wire.PcmMessage.Bye;
import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rank that moved leaves nothing behind (docs/architecture.md, "The end of a process"):
 * its old process says BYE and exits as soon as its state is delivered, while the job runs
 * on, and the job still ends normally without it (libpcm's end without MPI_Finalize's
 * fence). Across hosts: once every rank has left a host, no process of the job runs there.
 * A replacement is bound as its job is: not at all when the job runs unbound, and when
 * Open MPI binds the job to cores, to a core that no other rank of the job on that host holds.
 * Each job runs until its test has checked what it checks ({@link StopFile}), and its grid is
 * compared with a run without Roam (heat-nopcm) of as many iterations.
 */
@Tag("system")
class DepartedProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(300);
    /** From MIGRATION_DONE to the old process's exit: it only says BYE and exits. */
    private static final Duration GONE_WITHIN = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void theDepartedProcessExitsAtOnceWhileTheJobRunsOnAndTheJobEnds() throws Exception {
        Mpi.requireMpirun();
        PcmRecorder recorder = new PcmRecorder();
        try (PcmServer server = new PcmServer(dir.resolve("agent.sock"), recorder,
                new PcmServer.Options("test-agent", 0)).start()) {
            recorder.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.rank() == 1 && r.moves() == 0) {
                    conn.send(new Migrate(1, "localhost", 50));
                }
            });
            Path stop = dir.resolve("stop");
            HeatJob.Spec shape = HeatJob.spec().ranks(2).grid(512, 512).iterations(StopFile.UNTIL_STOPPED)
                    .programArgs(StopFile.args(stop).toArray(String[]::new));
            try (HeatJob job = shape.agent(server.socketPath()).start(dir.resolve("run"))) {
                MigrationDone done = recorder.awaitMessage(MigrationDone.class, d -> d.orderId() == 1, TIMEOUT)
                        .as(MigrationDone.class);
                long departed = done.sourcePid();
                long replacement = recorder.awaitMessage(Register.class, r -> r.rank() == 1 && r.moves() == 1, TIMEOUT)
                        .as(Register.class).pid();
                HeatJob.awaitGone(departed, GONE_WITHIN);
                assertThat(job.isRunning()).as("the job runs on after its departed process exited").isTrue();
                recorder.awaitMessage(Bye.class, b -> b.reason() == Bye.Reason.MIGRATED, TIMEOUT);
                StopFile.stop(stop);
                job.awaitSuccess(TIMEOUT);
                assertThat(job.grid()).as("grid after the move")
                        .isEqualTo(StopFile.baseline(2, 512, 512, job, dir));
                assertThat(job.stdout()).as("rank 0 runs on after MPI_Finalize, its output flushed")
                        .contains("heat: after MPI_Finalize (finalized: yes)");
            }
        }
    }

    /** The CPUs a process may run on when nothing binds it, as /proc writes them ("0-1"). */
    private static String allCpus() throws java.io.IOException {
        return cpusAllowed(ProcessHandle.current().pid());
    }

    private static String cpusAllowed(long pid) throws java.io.IOException {
        return java.nio.file.Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow().split(":")[1].strip();
    }

    @ParameterizedTest(name = "mpirun {0}")
    @ValueSource(strings = {"--bind-to core", "--bind-to none"})
    void aHostThatEveryRankLeftRunsNoProcessOfTheJob(String binding) throws Exception {
        Mpi.requireMpirun();
        try (TwoHostAgents two = new TwoHostAgents("dep", dir)) {
            two.agent1.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.moves() == 0) {
                    conn.send(new Migrate(10 + r.rank(), two.h2, 50 + 50 * r.rank()));
                }
            });
            Path stop = dir.resolve("stop");
            HeatJob.Spec shape = HeatJob.spec().ranks(2).grid(256, 512).iterations(StopFile.UNTIL_STOPPED)
                    .programArgs(StopFile.args(stop).toArray(String[]::new));
            Path heat = Mpi.heatBinary("heat");
            boolean bound = binding.endsWith("core");
            try (HeatJob job = two.onHosts(shape).mpiArgs(binding.split(" ")).start(dir.resolve("run"))) {
                for (long rank = 0; rank < 2; rank++) {
                    long r = rank;
                    two.agent2.awaitMessage(MigrationDone.class, d -> d.rank() == r, TIMEOUT);
                }
                await().atMost(GONE_WITHIN).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                        .untilAsserted(() -> assertThat(two.processesOn(0, heat))
                                .as("heat processes on host 1 after both ranks left it").isEmpty());
                assertThat(job.isRunning()).as("the job still runs on host 2 when host 1 is checked").isTrue();
                List<Long> onHost2 = two.processesOn(1, heat);
                assertThat(onHost2).as("the two ranks run on host 2").hasSize(2);
                // each replacement is a job of its own to Open MPI, which binds a job of one process
                // to a core whatever its parent's binding (libpcm passes bind_to none for an unbound rank)
                List<String> cpus = new ArrayList<>();
                for (long pid : onHost2) cpus.add(cpusAllowed(pid));
                if (bound) {
                    assertThat(cpus).as("the replacements' CPU affinity: a core each, not the same").allMatch(c -> c.matches("\\d+"))
                            .doesNotHaveDuplicates();
                } else {
                    assertThat(cpus).as("the replacements' CPU affinity: unbound as their job").containsOnly(allCpus());
                }
                StopFile.stop(stop);
                job.awaitSuccess(TIMEOUT);
                assertThat(job.grid()).as("grid after both ranks moved")
                        .isEqualTo(StopFile.baseline(2, 256, 512, job, dir));
            }
        }
    }
}
