package io.roam.heat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the programs of the benchmark: output to files in a work directory, a time limit after
 * which the process and everything it started are ended by pid, and the mpirun command line
 * every Roam job needs on this kind of machine.
 */
final class Proc {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    static final int CORES = Runtime.getRuntime().availableProcessors();

    /** How a program ended. */
    record Result(List<String> command, int exit, String out, String err) {
        Result requireSuccess(String what) {
            if (exit != 0) {
                throw new IllegalStateException(what + " failed with exit code " + exit + ": "
                        + String.join(" ", command) + "\n--- stdout\n" + out + "--- stderr\n" + err);
            }
            return this;
        }
    }

    private final Path work;
    private int count;

    Proc(Path work) {
        this.work = work;
    }

    /**
     * mpirun with {@code ranks} processes: --oversubscribe when {@code oversubscribe} or when
     * there are more ranks than cores (a migration spawns a process beyond the job's slots), and
     * orte_allowed_exit_without_sync (a migrated rank leaves before the job ends).
     */
    static List<String> mpirun(int ranks, boolean oversubscribe) {
        List<String> cmd = new ArrayList<>(List.of("mpirun"));
        if (ROOT) {
            cmd.add("--allow-run-as-root");
        }
        if (oversubscribe || ranks > CORES) {
            cmd.add("--oversubscribe");
        }
        cmd.addAll(List.of("-np", Integer.toString(ranks), "--mca", "orte_allowed_exit_without_sync", "1"));
        return cmd;
    }

    /**
     * The command of a Java rank: this JVM's {@code java} with this JVM's class path (made
     * absolute: jobs run in the work directory), a heap of {@code heap}, the serial collector
     * (several JVMs share the cores), and {@code mainClass}.
     */
    static List<String> javaRank(String mainClass, String heap) {
        StringBuilder cp = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!e.isEmpty()) {
                cp.append(cp.length() == 0 ? "" : java.io.File.pathSeparator).append(Path.of(e).toAbsolutePath());
            }
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                "-XX:+UseSerialGC", "-XX:-UsePerfData", "-cp", cp.toString(), mainClass);
    }

    /** A started program and the files its output goes to. */
    record Started(List<String> command, Process process, Path out, Path err) {
        /** The result, once the process has ended ({@code exit} -1 for "ended by the benchmark"). */
        Result result(int exit) throws IOException {
            return new Result(command, exit, Files.readString(out), Files.readString(err));
        }
    }

    /** Starts a command with extra environment; its output goes to files named after it. */
    Started start(List<String> command, Map<String, String> env) throws IOException {
        String name = String.format("%03d-%s", ++count, Path.of(command.get(0)).getFileName());
        Path out = work.resolve(name + ".out");
        Path err = work.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        if (ROOT) {
            pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
            pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        }
        Files.writeString(work.resolve(name + ".cmd"), String.join(" ", command) + "\n");
        return new Started(List.copyOf(command), pb.start(), out, err);
    }

    /** Runs a command to its end, or ends it (and its descendants) after {@code limit}. */
    Result run(List<String> command, Map<String, String> env, Duration limit) throws IOException, InterruptedException {
        Started s = start(command, env);
        return s.result(await(s.process(), limit) ? s.process().exitValue() : -1);
    }

    /** Waits for a process; on timeout ends it and everything it started, returns false. */
    static boolean await(Process p, Duration limit) throws InterruptedException {
        if (p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        kill(p);
        return false;
    }

    /** Ends a process and its descendants, by pid. */
    static void kill(Process p) {
        io.roam.heat.ProcessTrees.kill(p);
    }
}
