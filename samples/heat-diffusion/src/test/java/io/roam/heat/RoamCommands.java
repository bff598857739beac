package io.roam.heat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@code bin/roam} command line, run inside a namespace host, as an operator would. */
final class RoamCommands {
    static final Path ROAM = RepoFiles.find("bin/roam");

    private RoamCommands() {
    }

    record Result(int exit, String out) {
    }

    static List<String> on(List<String> host, String... args) {
        List<String> cmd = new ArrayList<>(host);
        cmd.add(ROAM.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs a short roam command to completion (status, migrate) on a host (NetnsHosts.exec). */
    static Result run(List<String> host, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(on(host, args)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("roam " + String.join(" ", args) + " did not finish:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** Starts a long-running roam command (agent, run) on a host, its output in a file. */
    static Process start(List<String> host, Path log, String... args) throws IOException {
        return new ProcessBuilder(on(host, args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Ends a process and everything it started, by pid. */
    static void stop(Process p) {
        ProcessTrees.stop(p, java.time.Duration.ofSeconds(15));
    }
}
