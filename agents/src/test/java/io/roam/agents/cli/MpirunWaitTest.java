package io.roam.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MpirunWait against real process trees standing in for mpirun: a parent that never reaps its
 * ended children (as mpirun stuck in PMIx_server_finalize) is ended after the grace with its
 * children's exit code; one whose child still runs is waited for; one that exits is not touched;
 * below a process named orted (a daemon on another namespace host) its children are the job's,
 * keepers left out.
 */
class MpirunWaitTest {
    private final List<Process> started = new ArrayList<>();

    private Process start(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).start();
        started.add(p);
        return p;
    }

    @AfterEach
    void stop() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void aParentThatOutlivesItsEndedChildrenIsEndedWithTheirExitCode() throws Exception {
        // the children end after the exec, so sleep (which never waits) leaves them zombies
        Process p = start("(sleep 0.3; exit 0) & (sleep 0.3; exit 3) & exec sleep 60");
        List<String> said = new ArrayList<>();
        long t = System.nanoTime();
        Optional<MpirunWait.Outcome> end = MpirunWait.await(p, Duration.ofSeconds(30), Duration.ofSeconds(1), said::add);
        assertThat(end).contains(new MpirunWait.Outcome(3, true));
        assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(20));
        assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(said).singleElement().asString().contains("has not exited 1 s after every process it started ended",
                "exit code 3");
    }

    /** A copy of sleep named {@code name}: a process that never reaps its children, with that name. */
    private static Path sleepNamed(Path dir, String name) throws Exception {
        Path p = dir.resolve(name);
        Files.copy(Path.of("/bin/sleep"), p);
        p.toFile().setExecutable(true);
        return p;
    }

    @Test
    void theJobsProcessesUnderAnOrtedAreWatchedKeepersNot(@TempDir Path dir) throws Exception {
        // mpirun -> launcher shell -> "orted" (alive, never reaps) -> a rank that ended with 4,
        // and a keeper that waits: the job is over, mpirun has not exited
        Path orted = sleepNamed(dir, "orted");
        Path keeper = sleepNamed(dir, "roam-pcm-keeper");
        Process p = start("sh -c '(sleep 0.3; exit 4) & " + keeper + " 60 & exec " + orted + " 60' & exec sleep 60");
        Optional<MpirunWait.Outcome> end = MpirunWait.await(p, Duration.ofSeconds(30), Duration.ofSeconds(1), m -> { });
        assertThat(end).contains(new MpirunWait.Outcome(4, true));
    }

    @Test
    void aRankStillRunningUnderAnOrtedIsWaitedFor(@TempDir Path dir) throws Exception {
        Path orted = sleepNamed(dir, "orted");
        Process p = start("sh -c 'sleep 60 & (sleep 0.2; exit 0) & exec " + orted + " 60' & exec sleep 60");
        assertThat(MpirunWait.await(p, Duration.ofSeconds(3), Duration.ofMillis(500), m -> { })).isEmpty();
        assertThat(p.isAlive()).isTrue();
    }

    @Test
    void aSignalledChildGivesTheShellsCode() throws Exception {
        // the inner shell's $$ is its own pid: the child ends by SIGKILL
        Process q = start("sh -c 'sleep 0.3; kill -KILL $$' & exec sleep 60");
        Optional<MpirunWait.Outcome> end = MpirunWait.await(q, Duration.ofSeconds(30), Duration.ofSeconds(1), m -> { });
        assertThat(end).contains(new MpirunWait.Outcome(128 + 9, true));
    }

    @Test
    void aParentWhoseChildStillRunsIsWaitedFor() throws Exception {
        Process p = start("sleep 60 & exec sleep 60");
        assertThat(MpirunWait.await(p, Duration.ofSeconds(2), Duration.ofMillis(500), m -> { })).isEmpty();
        assertThat(p.isAlive()).isTrue();
    }

    @Test
    void aParentThatExitsGivesItsOwnCode() throws Exception {
        Process p = start("sleep 0.2; exit 5");
        assertThat(MpirunWait.await(p, Duration.ofSeconds(30), Duration.ofMillis(500), m -> { }))
                .contains(new MpirunWait.Outcome(5, false));
    }

    @Test
    void exitCodesOfEndedChildren() {
        assertThat(MpirunWait.jobExitCode(List.of(new MpirunWait.Child(1, 'Z', 0), new MpirunWait.Child(2, 'Z', 2 << 8))))
                .isEqualTo(2);
        assertThat(MpirunWait.jobExitCode(List.of(new MpirunWait.Child(1, 'Z', 0)))).isZero();
        assertThat(MpirunWait.jobExitCode(List.of(new MpirunWait.Child(1, 'Z', 15)))).isEqualTo(143);
        assertThat(MpirunWait.jobExitCode(List.of())).isEqualTo(1);
    }
}
