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

    /**
     * The secure default of the test's agents: TLS with the key set that the first of them
     * creates in {@code dir/keys} (the namespace hosts share the file system, as agents of one
     * machine do; {@code /etc/roam/keys} stays untouched). With TLS on, their control APIs may
     * listen on the hosts' addresses, reached from the other hosts and from the test.
     */
    static List<String> keys(Path dir) {
        return List.of("--set", "roam.agent.tls.key-dir=\"" + dir.resolve("keys") + "\"");
    }

    /** Starts a long-running roam command (agent, run) on a host, its output in a file. */
    static Process start(List<String> host, Path log, String... args) throws IOException {
        return new ProcessBuilder(on(host, args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Starts the agent of namespace host {@code i} (its address as host name, cluster and HTTP
     * bind address, port 2552, the sockets in {@code dir}, work stealing off, and each of
     * {@code settings}, KEY=VALUE, as a --set), seeded at host 0 unless it is host 0, logging
     * to {@code dir/agent<i+1>.log}.
     */
    static Process agentWithoutStealing(NetnsHosts hosts, int i, Path dir, String... settings) throws IOException {
        String h = hosts.addresses.get(i);
        List<String> args = new java.util.ArrayList<>(List.of("agent", "--host", h, "--bind", h, "--port", "2552",
                "--http-bind", h, "--socket", dir.resolve("agent-%h.sock").toString(), "--stealing", "off"));
        for (String kv : settings) {
            args.addAll(List.of("--set", kv));
        }
        args.addAll(keys(dir));
        if (i > 0) {
            args.addAll(List.of("--seed", hosts.addresses.get(0) + ":2552"));
        }
        return start(hosts.exec(i), dir.resolve("agent" + (i + 1) + ".log"), args.toArray(String[]::new));
    }

    static com.fasterxml.jackson.databind.JsonNode status(List<String> host, String api) throws Exception {
        Result r = run(host, 60, "status", "--json", "--agent", api);
        if (r.exit() != 0) {
            throw new AssertionError("roam status failed (exit " + r.exit() + "):\n" + r.out());
        }
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out().substring(r.out().indexOf('{')));
    }

    /** The tail (at most 20,000 characters) of each log file, for a failing test's message. */
    static String logs(Path dir, String... files) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : files) {
            Path p = dir.resolve(f);
            String text = java.nio.file.Files.exists(p) ? java.nio.file.Files.readString(p) : "(none)";
            sb.append("\n--- ").append(f).append('\n')
                    .append(text.length() > 20000 ? text.substring(text.length() - 20000) : text);
        }
        return sb.toString();
    }

    /** Ends a process and everything it started, by pid. */
    static void stop(Process p) {
        ProcessTrees.stop(p, java.time.Duration.ofSeconds(15));
    }
}
