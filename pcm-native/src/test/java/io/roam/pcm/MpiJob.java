package io.roam.pcm;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** A small MPI job for this module's tests: mpirun with PCM's options and an agent socket. */
final class MpiJob {
    private static final Path MPIRUN = Path.of("/usr/bin/mpirun");

    /** What the job printed (stdout and stderr together) and how mpirun exited. */
    record Result(int exit, String output) {
    }

    private MpiJob() {
    }

    /** Skips outside CI when mpirun is missing (saying why); in CI a missing mpirun fails. */
    static void requireMpirun() {
        if (!Files.isExecutable(MPIRUN)) {
            if (System.getenv("CI") != null) {
                fail("CI is set and " + MPIRUN + " is missing");
            }
            Assumptions.abort("mpirun missing (make deps); MPI tests are skipped outside CI only");
        }
    }

    /**
     * Runs {@code program} on {@code ranks} ranks in {@code dir} with ROAM_AGENT_SOCKET set,
     * waits for it, and ends every process it started, by pid, whatever happens.
     */
    static Result run(Path dir, Path agentSocket, int ranks, List<String> program, int timeoutSeconds)
            throws Exception {
        return run(dir, java.util.Map.of("ROAM_AGENT_SOCKET", agentSocket.toString()), ranks, program, timeoutSeconds);
    }

    /** As {@link #run(Path, Path, int, List, int)} with {@code env} exported to the ranks instead (-x). */
    static Result run(Path dir, java.util.Map<String, String> env, int ranks, List<String> program, int timeoutSeconds)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(MPIRUN.toString(), "--oversubscribe", "-np", "" + ranks,
                "--mca", "orte_allowed_exit_without_sync", "1", "--mca", "pml", "ob1"));
        for (String name : env.keySet()) {
            cmd.addAll(List.of("-x", name));
        }
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.add(1, "--allow-run-as-root");
        }
        cmd.addAll(program);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("ROAM_AGENT_SOCKET");
        pb.environment().putAll(env);
        Path log = dir.resolve("out.txt");
        Process p = pb.redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("mpirun did not finish within " + timeoutSeconds + " s:\n"
                        + Files.readString(log));
            }
            return new Result(p.exitValue(), Files.readString(log));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
