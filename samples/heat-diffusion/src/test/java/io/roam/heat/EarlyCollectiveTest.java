package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A replacement must not communicate on the world before its first PCM_Status (libpcm's
 * pcm_early.c): the other ranks are past that point of the program. src/test/c/early_params.c
 * sets itself up as many programs do, rank 0's parameters broadcast and an error-check
 * reduction before the iterations; rank 1 of 3 moves at iteration 5. Done naively (every
 * process, a replacement too, makes those calls) the replacement's call is refused with a
 * message naming it and the rule, and the job ends (mpirun exits with code 70) instead of
 * hanging. Done by docs/instrumenting.md's recipe (a fresh start stores the parameters, a
 * replacement loads them and makes only allowed calls) the job ends with the result of a run
 * without migration.
 */
@Tag("system")
class EarlyCollectiveTest {
    /** mpirun must end within this, whatever the program does: a hang fails the test. */
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final Pattern RESULT = Pattern.compile("(?m)^result .*$");

    @TempDir
    Path dir;

    private MovingAgent agent;
    private PcmRecorder recorder;

    @BeforeEach
    void startAgent() throws Exception {
        Mpi.requireMpirun();
        agent = MovingAgent.movingRank1(dir, 17, 5);   // rank 1 moves to this host at its 5th iteration
        recorder = agent.recorder();
    }

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    private static HeatJob.Spec program(String mode) {
        return HeatJob.spec().binary("early_params").programArgs("-m", mode).ranks(3).grid(10, 20).iterations(400);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"naive-bcast, MPI_Bcast on MPI_COMM_WORLD", "naive-allreduce, MPI_Allreduce on the PCM world"})
    void aReplacementThatCommunicatesOnTheWorldEarlyIsStoppedWithTheReasonAndNothingHangs(String mode, String call)
            throws Exception {
        try (HeatJob job = program(mode).agent(agent.socketPath()).start(dir.resolve(mode))) {
            int exit = job.awaitExit(BOUND);   // fails, ending the job, if mpirun is still running then
            String logs = job.logs();
            assertThat(exit).as(logs).isEqualTo(70);
            assertThat(job.stderr()).as(logs)
                    .contains(call + " in a replacement process before its first PCM_Status")
                    .contains("The rule: between PCM_Init and its first PCM_Status a replacement makes no communication")
                    .contains("PCM_Store", "PCM_Load", "docs/instrumenting.md");
            assertThat(job.stdout()).as(logs).doesNotContain("early-call not refused").doesNotContain("result");
            // the refused process is rank 1's replacement, a process none of the original ranks
            // is (its own REGISTER may come too late to be checked: it stops at once, and a pid
            // that no longer holds its connection is refused); nothing of the job is left running
            Matcher refused = Pattern.compile("pid (\\d+)\\] " + Pattern.quote(call)).matcher(job.stderr());
            assertThat(refused.find()).as(logs).isTrue();
            long replacement = Long.parseLong(refused.group(1));
            assertThat(registrations()).filteredOn(r -> r.moves() == 0).extracting(Register::rank)
                    .containsExactlyInAnyOrder(0L, 1L, 2L);
            assertThat(registrations()).filteredOn(r -> r.moves() == 0).extracting(Register::pid)
                    .doesNotContain(replacement);
            HeatJob.awaitGone(replacement, Duration.ofSeconds(20));
            for (Register r : registrations()) {
                HeatJob.awaitGone(r.pid(), Duration.ofSeconds(20));
            }
        }
    }

    @Test
    void theRecipeStoresTheParametersAndTheReplacementMakesOnlyAllowedCalls() throws Exception {
        String expected;
        try (HeatJob alone = program("recipe").start(dir.resolve("baseline"))) {   // no agent: no migration
            expected = result(alone.awaitSuccess(BOUND));
        }
        try (HeatJob job = program("recipe").agent(agent.socketPath()).start(dir.resolve("recipe"))) {
            job.awaitSuccess(BOUND);
            assertThat(job.stdout()).as(job.logs()).contains("allowed-calls ok rank 1 restored at iteration");
            assertThat(job.stderr()).doesNotContain("[pcm error");
            assertThat(result(job)).as("every rank's value after the move").isEqualTo(expected);
            MigrationDone done = recorder.awaitMessage(MigrationDone.class, d -> d.orderId() == 17,
                    Duration.ofSeconds(10)).as(MigrationDone.class);
            assertThat(done.rank()).isEqualTo(1);
        }
    }

    private List<Register> registrations() {
        return recorder.messages().stream().filter(m -> m instanceof Register).map(Register.class::cast).toList();
    }

    private static String result(HeatJob job) throws Exception {
        Matcher m = RESULT.matcher(job.stdout());
        assertThat(m.find()).as("a result line in\n%s", job.logs()).isTrue();
        return m.group();
    }
}
