package io.roam.heat.auto;

import io.roam.heat.ProcessTrees;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agents of the autonomous demo: one {@code roam agent} per namespace host (started with
 * scripts/netns-hosts.sh exec, so each runs in its host's network namespace and CPU cgroup),
 * the first one the seed. Stops them (and anything they started) by pid.
 */
final class AgentCluster implements AutoCloseable {
    final String prefix;
    final List<String> addresses;
    private final Path script;
    private final Path roam;
    private final List<Process> started = new ArrayList<>();

    AgentCluster(Path repo, String prefix, List<String> addresses) {
        this.prefix = prefix;
        this.addresses = List.copyOf(addresses);
        this.script = repo.resolve("scripts/netns-hosts.sh");
        this.roam = repo.resolve("bin/roam");
    }

    /** The command prefix that runs a program on host i (0-based). */
    List<String> on(int i) {
        return List.of("bash", script.toString(), "exec", prefix, Integer.toString(i + 1));
    }

    String api(int i) {
        return "http://" + addresses.get(i) + ":7170";
    }

    void startAgents(Path dir, String socket, List<String> extra) throws IOException {
        for (int i = 0; i < addresses.size(); i++) {
            String ip = addresses.get(i);
            List<String> cmd = new ArrayList<>(on(i));
            cmd.addAll(List.of(roam.toString(), "agent", "--host", ip, "--bind", ip, "--port", "2552", "--http-bind", ip,
                    "--socket", socket));
            if (i > 0) {
                cmd.addAll(List.of("--seed", addresses.get(0) + ":2552"));
            }
            cmd.addAll(extra);
            started.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("agent-" + (i + 1) + ".log").toFile()).start());
        }
    }

    /** Runs a program on host i with its output in {@code log}. */
    Process start(int i, Path log, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(on(i));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    /** Sets host i's CPU quota (cores, or "max"). */
    void cpu(int i, String cores) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", script.toString(), "cpu", prefix, Integer.toString(i + 1), cores)
                .inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("netns-hosts.sh cpu " + prefix + " " + (i + 1) + " " + cores + " failed");
        }
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            ProcessTrees.stop(started.get(i), java.time.Duration.ofSeconds(10));
        }
    }
}
