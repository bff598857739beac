package io.roam.agents.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Waits for mpirun, and ends one whose own teardown hangs. Open MPI 4.1.4 with PMIx 4.2 was
 * seen (beside two busy loops, after a replacement's MPI_Abort) with every process of the job
 * ended and not reaped, zombies, while mpirun's main thread waited in {@code orte_finalize ->
 * PMIx_server_finalize} for PMIx's progress thread, itself blocked on a lock inside libpmix:
 * the job was over, mpirun never exited, and whoever waited for it (roam run, a batch
 * script) waited for ever. So once mpirun has started processes and all of them have ended
 * (zombies, or reaped) for {@code grace} while mpirun lives, mpirun is ended and the job's
 * exit code is taken from its processes: the first that did not exit 0 (128 + signal for a
 * signal, as a shell reports it), else 0; 1 when they were reaped and their codes are lost.
 * The job's processes are mpirun's children, and, where mpirun's daemons on other hosts are
 * visible (one pid namespace: hosts that are network namespaces of this machine, as in the
 * tests and benchmarks), the children of each orted below it instead of its launcher: a job
 * whose last ranks ended on such a host, while that orted waited on a mpirun that never
 * finished its teardown, was seen to hang so (migration stress, 2026-12-07). Keepers
 * (roam-pcm-keeper, pcm_keep.c) are not counted: they wait for the job's end by design. A
 * launcher with no orted in sight (ssh to a real host) counts as a running process: then only
 * mpirun's own host is watched.
 * Linux only (/proc/PID/stat, field 52: a zombie's exit status); elsewhere it only waits.
 */
public final class MpirunWait {
    /** How long mpirun may outlive every process it started: its normal teardown takes milliseconds. */
    public static final Duration GRACE = Duration.ofSeconds(10);
    /** How often mpirun's children are read (/proc), while waitFor returns at once when mpirun exits. */
    private static final long POLL_MS = 1000;

    /**
     * How the wait ended.
     *
     * @param exitCode     mpirun's exit code, or the job's processes' when its teardown hung
     * @param teardownHung mpirun outlived its processes by the grace and was ended
     */
    public record Outcome(int exitCode, boolean teardownHung) {
    }

    /** One child process: its pid, state letter (Z: ended, not reaped) and wait status (zombies). */
    record Child(long pid, char state, int waitStatus) {
        boolean ended() {
            return state == 'Z' || state == 'X';
        }

        /** The exit code a shell would report for this wait status. */
        int exitCode() {
            int signal = waitStatus & 0x7f;
            return signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
        }
    }

    private MpirunWait() {
    }

    /**
     * Waits up to {@code timeout} (null: without end) for {@code mpirun}; empty if it still runs
     * then. Says through {@code say} why it ends an mpirun whose teardown hung.
     */
    public static Optional<Outcome> await(Process mpirun, Duration timeout, Duration grace, Consumer<String> say)
            throws InterruptedException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        boolean seenChildren = false;
        long allEndedSince = -1;
        while (true) {
            if (mpirun.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
                return Optional.of(new Outcome(mpirun.exitValue(), false));
            }
            long now = System.nanoTime();
            List<Child> children = children(mpirun.toHandle());
            seenChildren |= !children.isEmpty();
            boolean allEnded = seenChildren && children.stream().allMatch(Child::ended);
            allEndedSince = !allEnded ? -1 : allEndedSince < 0 ? now : allEndedSince;
            if (allEnded && now - allEndedSince >= grace.toNanos()) {
                int code = jobExitCode(children);
                say.accept(String.format("mpirun has not exited %d s after every process it started ended (Open"
                        + " MPI's teardown hung, seen in PMIx_server_finalize); ending it, exit code %d from the"
                        + " job's processes", grace.toSeconds(), code));
                end(mpirun);
                return Optional.of(new Outcome(code, true));
            }
            if (now >= deadline) {
                return Optional.empty();
            }
        }
    }

    /** The first non-zero exit code among the ended children, else 0; 1 if none is left to read. */
    static int jobExitCode(List<Child> children) {
        if (children.isEmpty()) {
            return 1;
        }
        return children.stream().mapToInt(Child::exitCode).filter(c -> c != 0).findFirst().orElse(0);
    }

    /**
     * The job's processes below {@code mpirun} with their state, read from /proc: its children,
     * except that a child that is an orted, or has one below it, stands for that orted's
     * children; keepers left out. Empty where there is none.
     */
    static List<Child> children(ProcessHandle mpirun) {
        List<Child> out = new ArrayList<>();
        mpirun.children().forEach(c -> {
            List<ProcessHandle> daemons = Stream.concat(Stream.of(c), c.descendants()).filter(MpirunWait::isDaemon).toList();
            if (daemons.isEmpty()) {
                read(c.pid()).ifPresent(out::add);
            }
            daemons.forEach(d -> d.children().filter(h -> !"roam-pcm-keeper".equals(name(h.pid())))
                    .forEach(h -> read(h.pid()).ifPresent(out::add)));
        });
        return out;
    }

    private static boolean isDaemon(ProcessHandle h) {
        return "orted".equals(name(h.pid()));
    }

    /** A process's name (/proc/PID/comm), or "" when it is gone. */
    private static String name(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** One process's state and wait status from /proc/PID/stat (fields 3 and 52). */
    static Optional<Child> read(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            int status = f.length > 49 ? Integer.parseInt(f[49]) : 0;   // field 52, counted from field 3
            return Optional.of(new Child(pid, f[0].charAt(0), status));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();   // gone meanwhile, or no /proc
        }
    }

    private static void end(Process mpirun) throws InterruptedException {
        mpirun.destroy();
        if (!mpirun.waitFor(2, TimeUnit.SECONDS)) {
            mpirun.destroyForcibly();
            mpirun.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
