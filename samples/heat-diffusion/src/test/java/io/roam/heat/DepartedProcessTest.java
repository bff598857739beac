package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that migrated away lingers until the job's end (Open MPI ends a job with a fence
 * over all of its original processes) on the host it left, where a rank moved back, or any
 * other work, must keep the CPU: it waits at idle priority, off the ranks' core, and may take
 * only a little (Open MPI's progress loop in MPI_Finalize: about 0.04 of a core measured; a
 * process still spinning at normal priority would take a whole core). Measured from
 * /proc/PID/stat over 3 s of the job running on; then the job must end and the process go.
 */
class DepartedProcessTest {
    @TempDir
    Path dir;

    @Test
    void aDepartedProcessWaitsForTheJobsEndWithoutTakingCpu() throws Exception {
        Mpi.requireMpirun();
        PcmRecorder recorder = new PcmRecorder();
        try (PcmServer server = new PcmServer(dir.resolve("agent.sock"), recorder,
                new PcmServer.Options("test-agent", 0)).start()) {
            recorder.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.rank() == 1 && r.moves() == 0) {
                    conn.send(new Migrate(1, "localhost", 50));
                }
            });
            HeatJob.Spec spec = HeatJob.spec().ranks(2).grid(1024, 1024).iterations(40000).agent(server.socketPath());
            try (HeatJob job = spec.start(dir.resolve("run"))) {
                MigrationDone done = recorder.awaitMessage(MigrationDone.class, d -> d.orderId() == 1,
                        Duration.ofSeconds(120)).as(MigrationDone.class);
                long departed = done.sourcePid();
                Thread.sleep(1000);   // past the hand-over
                assertThat(job.isRunning()).as("the job must still run when the measure starts").isTrue();
                long before = cpuTicks(departed);
                Thread.sleep(3000);
                long after = cpuTicks(departed);
                assertThat(job.isRunning()).as("the job must still run while the departed process is measured").isTrue();
                long hz = 100;   // USER_HZ on Linux
                double share = (after - before) / (double) hz / 3.0;
                System.out.printf("departed pid %d: %.3f of a core while the job runs on%n", departed, share);
                assertThat(share).as("CPU share of one core taken by the departed pid %d while it waits", departed)
                        .isLessThan(0.15);
                job.awaitSuccess(Duration.ofSeconds(180));
                HeatJob.awaitGone(departed, Duration.ofSeconds(10));
            }
        }
    }

    /** utime + stime of a process, in clock ticks. */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
