package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roam.agents.cli.MpirunWait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of the heat-diffusion sample under mpirun, as a test starts it: its output in
 * files, its processes ended by pid when the test is done with it.
 */
final class HeatJob implements AutoCloseable {
    private static final Pattern CHECKSUM = Pattern.compile("checksum ([0-9a-f]{16})");

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final Path grid;

    private HeatJob(Process process, Path stdout, Path stderr, Path grid) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.grid = grid;
    }

    /** A job description; {@link #start(Path)} runs it with its files under a directory. */
    static final class Spec {
        int ranks = 4;
        int rows = 512;
        int cols = 512;
        int iterations = 500;
        String agentSocket = "none";
        String binary = "heat";
        /** Run the Java sample (JVMs under mpirun) instead of the C binary. */
        boolean javaRanks;
        final Map<String, String> env = new LinkedHashMap<>();
        final Map<String, String> launcherEnv = new LinkedHashMap<>();
        final List<String> mpiArgs = new ArrayList<>();
        final List<String> prefix = new ArrayList<>();
        final List<String> programArgs = new ArrayList<>();

        Spec ranks(int n) { ranks = n; return this; }
        Spec grid(int r, int c) { rows = r; cols = c; return this; }
        Spec iterations(int n) { iterations = n; return this; }
        Spec agent(Path socket) { agentSocket = socket.toString(); return this; }
        /** Another C program of the sample with heat's options (such as {@code stencil2d}). */
        Spec binary(String name) { binary = name; return this; }
        /** Ranks are JVMs running {@link JavaHeat} (with {@code -Xcheck:jni}). */
        Spec java() { javaRanks = true; return this; }
        Spec env(String k, String v) { env.put(k, v); return this; }
        /** A variable for mpirun's own environment only (not exported with -x). */
        Spec launcherEnv(String k, String v) { launcherEnv.put(k, v); return this; }
        Spec mpiArgs(String... args) { mpiArgs.addAll(List.of(args)); return this; }
        /** Arguments of the program, before heat's options. */
        Spec programArgs(String... args) { programArgs.addAll(List.of(args)); return this; }
        /** A command that runs mpirun, such as {@code ip netns exec NS}. */
        Spec prefix(String... args) { prefix.addAll(List.of(args)); return this; }

        String key() {
            return (javaRanks ? "java-" : binary + "-") + ranks + "x" + rows + "x" + cols + "x" + iterations
                    + (programArgs.isEmpty() ? "" : "-" + String.join("-", programArgs));
        }

        HeatJob start(Path dir) throws IOException {
            Files.createDirectories(dir);
            Path grid = dir.resolve("grid.bin");
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(Mpi.mpirun(ranks));
            env.put("ROAM_AGENT_SOCKET", agentSocket);
            for (String k : env.keySet()) {
                cmd.addAll(List.of("-x", k));
            }
            cmd.addAll(mpiArgs);
            cmd.addAll(javaRanks ? Mpi.java(JavaHeat.class) : List.of(Mpi.heatBinary(binary).toString()));
            cmd.addAll(programArgs);
            cmd.addAll(List.of("-r", Integer.toString(rows), "-c",
                    Integer.toString(cols), "-i", Integer.toString(iterations), "-o", grid.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
            pb.environment().putAll(env);
            pb.environment().putAll(launcherEnv);
            pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
            pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
            Path out = dir.resolve("stdout.txt");
            Path err = dir.resolve("stderr.txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Files.writeString(dir.resolve("command.txt"), String.join(" ", cmd) + "\n");
            return new HeatJob(pb.start(), out, err, grid);
        }
    }

    static Spec spec() {
        return new Spec();
    }

    long pid() {
        return process.pid();
    }

    /** Whether mpirun still runs. */
    boolean isRunning() {
        return process.isAlive();
    }

    /** Waits for mpirun to exit; on timeout ends every process of the job and fails. */
    HeatJob awaitSuccess(Duration timeout) throws IOException, InterruptedException {
        assertThat(awaitExit(timeout)).as("mpirun exit code\n%s", logs()).isZero();
        return this;
    }

    /** Waits for mpirun to exit and returns its exit code; on timeout ends the job and fails. */
    int awaitExit(Duration timeout) throws IOException, InterruptedException {
        // as roam run: an mpirun whose teardown hangs once the job's processes ended is ended
        Optional<MpirunWait.Outcome> end = MpirunWait.await(process, timeout, MpirunWait.GRACE,
                m -> System.out.println("HeatJob: " + m));
        if (end.isEmpty()) {
            String logs = logs();
            close();
            throw new AssertionError("mpirun did not finish within " + timeout + "\n" + logs);
        }
        return end.get().exitCode();
    }

    String stdout() throws IOException {
        return Files.readString(stdout);
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
    }

    String logs() throws IOException {
        return "--- stdout\n" + stdout() + "--- stderr\n" + stderr();
    }

    String checksum() throws IOException {
        Matcher m = CHECKSUM.matcher(stdout());
        assertThat(m.find()).as("checksum line in\n%s", logs()).isTrue();
        return m.group(1);
    }

    byte[] grid() throws IOException {
        return Files.readAllBytes(grid);
    }

    Path gridFile() {
        return grid;
    }

    /** Ends mpirun and everything it started, by pid. */
    @Override
    public void close() {
        ProcessTrees.kill(process);
    }

    static void awaitGone(long pid, Duration timeout) throws InterruptedException {
        await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("process %d is alive (allowed %s to exit)", pid, timeout).isFalse());
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
