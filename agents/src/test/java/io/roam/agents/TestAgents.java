package io.roam.agents;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Agents in this JVM on loopback, ports chosen by the system, sockets in a test directory. */
final class TestAgents implements AutoCloseable {
    final List<Agent> agents = new ArrayList<>();
    private final Path dir;
    private String seed;

    TestAgents(Path dir) {
        this.dir = dir;
    }

    /** Starts an agent with MPI host name {@code host} in cluster {@code cluster}. */
    Agent start(String host, String cluster, String topology) {
        return start(host, cluster, topology, ConfigFactory.empty());
    }

    /** Starts an agent as {@link #start(String, String, String)} does, {@code extra} overriding. */
    Agent start(String host, String cluster, String topology, Config extra) {
        Config c = ConfigFactory.empty()
                .withValue("roam.agent.host", ConfigValueFactory.fromAnyRef(host))
                .withValue("roam.agent.cluster", ConfigValueFactory.fromAnyRef(cluster))
                .withValue("roam.agent.topology", ConfigValueFactory.fromAnyRef(topology))
                .withValue("roam.agent.max-neighbours", ConfigValueFactory.fromAnyRef(2))
                .withValue("roam.agent.pcm.socket", ConfigValueFactory.fromAnyRef(dir.resolve("pcm-%h.sock").toString()))
                .withValue("roam.agent.http.port", ConfigValueFactory.fromAnyRef(0))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(0))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(
                        seed == null ? List.of() : List.of(seed)));
        Agent a = Agent.start(extra.withFallback(c));
        if (seed == null) {
            seed = a.address();
        }
        agents.add(a);
        return a;
    }

    @Override
    public void close() {
        for (int i = agents.size() - 1; i >= 0; i--) {
            agents.get(i).close();
        }
    }
}
