package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code roam profile}: the live profile of the node whose agent is asked. */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Print this node's live profile: processing speed, load, available processing, memory, network "
                + "(interfaces, links to the probed neighbours), processes.")
final class ProfileCommand implements Callable<Integer> {
    @Mixin
    AgentOption agent = new AgentOption();

    @Option(names = "--json", description = "Print the node's JSON (its status with profiles), for scripts.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var fetched = agent.status("profile");
        if (fetched.isEmpty()) {
            return 1;
        }
        JsonNode status = fetched.get();
        String self = status.get("askedAgent").asText();
        JsonNode node = null;
        for (JsonNode n : status.get("nodes")) {
            if (n.get("node").get("address").asText().equals(self)) {
                node = n;
            }
        }
        if (node == null || node.get("profile").isNull()) {
            System.err.println("roam profile: the agent at " + agent.agent + " did not report its own node");
            return 1;
        }
        if (json) {
            System.out.println(node.toPrettyString());
            return 0;
        }
        JsonNode p = node.get("profile");
        System.out.printf(Locale.ROOT, "node %s: %d cores, CPU limit %.2f cores, at %.3g updates/s each (capacity %.3g)%n",
                p.get("host").asText(), p.get("cores").asInt(), p.get("cpuLimit").asDouble(),
                p.get("speedPerCore").asDouble(), p.get("speedPerCore").asDouble() * p.get("cpuLimit").asDouble());
        System.out.printf(Locale.ROOT, "cpu in use %.1f %%, available processing %.3g updates/s (smoothed)%n",
                100 * p.get("utilization").asDouble(), p.get("available").asDouble());
        System.out.printf(Locale.ROOT, "memory %s total, %s available, %s used by managed processes%n",
                mib(p.get("memTotal").asLong()), mib(p.get("memAvailable").asLong()), mib(p.get("managedRss").asLong()));
        NetworkText.interfaces(node.get("network")).forEach(System.out::println);
        NetworkText.links(node.get("network")).forEach(System.out::println);
        for (JsonNode pp : node.get("profiles")) {
            System.out.printf(Locale.ROOT,
                    "  job %s rank %d pid %d: iteration %d (%.2f ms each), cpu %s (%s cores now, %s computing), rss %s, state %s%n",
                    pp.get("jobId").asText(), pp.get("rank").asInt(), pp.get("pid").asLong(),
                    pp.get("iterations").asLong(), pp.get("iterationNs").asLong() / 1e6,
                    pp.get("cpuMillis").asLong() < 0 ? "unknown" : pp.get("cpuMillis").asLong() / 1000.0 + " s",
                    share(pp.get("cpuShare").asDouble()), percent(pp.get("computeShare").asDouble()),
                    mib(pp.get("rssBytes").asLong()), mib(pp.get("stateBytes").asLong()));
        }
        return 0;
    }

    private static String share(double v) {
        return v < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String percent(double v) {
        return v < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f %%", 100 * v);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
