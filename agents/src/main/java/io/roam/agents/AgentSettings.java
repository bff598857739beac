package io.roam.agents;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated {@code roam.agent} configuration (see reference.conf, key by key). Built once
 * at start; a bad value fails with the key, the value and what is allowed.
 */
public record AgentSettings(String host, String cluster, String topology, int maxNeighbours, int slots,
                            Path pcmSocket, Duration heartbeat, Duration migrationTimeout, String httpInterface,
                            int httpPort, Duration statusTimeout, Duration drainDeadline, boolean drainOnStop) {
    private static final Pattern CLUSTER = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Set<String> TOPOLOGIES = Set.of("p2p", "c2c");

    /** Thrown for a configuration value out of range. */
    public static final class InvalidSetting extends IllegalArgumentException {
        InvalidSetting(String key, Object value, String allowed) {
            super("invalid configuration " + key + " = " + value + ": allowed " + allowed);
        }
    }

    public static AgentSettings from(Config root) {
        Config c = root.getConfig("roam.agent");
        try {
            String host = c.getString("host").isBlank() ? localHostName() : c.getString("host").trim();
            String cluster = c.getString("cluster");
            if (!CLUSTER.matcher(cluster).matches()) {
                throw new InvalidSetting("roam.agent.cluster", cluster, "1 to 64 of [A-Za-z0-9._-]");
            }
            String topology = c.getString("topology");
            if (!TOPOLOGIES.contains(topology)) {
                throw new InvalidSetting("roam.agent.topology", topology, "one of p2p (bounded random neighbour"
                        + " sets), c2c (clusters with one manager each)");
            }
            int maxNeighbours = range(c, "max-neighbours", 1, 1000);
            int slots = range(c, "slots", 0, 4096);
            if (slots == 0) {
                slots = Runtime.getRuntime().availableProcessors();
            }
            String socket = c.getString("pcm.socket").replace("%h", host);
            if (!socket.startsWith("/") || socket.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 100) {
                throw new InvalidSetting("roam.agent.pcm.socket", socket, "an absolute path of at most 100 bytes");
            }
            Duration heartbeat = duration(c, "pcm.heartbeat", Duration.ZERO, Duration.ofHours(1));
            Duration timeout = duration(c, "migration.timeout", Duration.ofSeconds(1), Duration.ofHours(1));
            int port = range(c, "http.port", 0, 65535);
            Duration statusTimeout = duration(c, "status-timeout", Duration.ofMillis(100), Duration.ofMinutes(1));
            Duration drainDeadline = duration(c, "drain.deadline", Duration.ofSeconds(1), Duration.ofHours(1));
            return new AgentSettings(host, cluster, topology, maxNeighbours, slots, Path.of(socket), heartbeat,
                    timeout, c.getString("http.interface"), port, statusTimeout, drainDeadline,
                    c.getBoolean("drain.on-stop"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }

    private static int range(Config c, String key, int min, int max) {
        int v = c.getInt(key);
        if (v < min || v > max) {
            throw new InvalidSetting("roam.agent." + key, v, min + " to " + max);
        }
        return v;
    }

    private static Duration duration(Config c, String key, Duration min, Duration max) {
        Duration d = c.getDuration(key);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new InvalidSetting("roam.agent." + key, c.getValue(key).unwrapped(), min + " to " + max);
        }
        return d;
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
