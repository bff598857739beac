package io.roam.agents;

import com.typesafe.config.Config;
import io.roam.config.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated {@code roam.agent} configuration (see reference.conf, key by key). Built once
 * at start; a bad value fails with the key, the value and what is allowed. {@code pcmSocket} is
 * the PCM socket's path, {@code pcmSocketPattern} the same with %h for the host name (as libpcm
 * takes it in ROAM_AGENT_SOCKET).
 */
public record AgentSettings(String host, String cluster, String topology, int maxNeighbours, int slots,
                            Path pcmSocket, Duration heartbeat, Duration migrationTimeout, String httpInterface,
                            int httpPort, Duration statusTimeout, Duration drainDeadline, boolean drainOnStop,
                            boolean checkPids, String pcmSocketPattern) {
    private static final Pattern CLUSTER = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Set<String> TOPOLOGIES = Set.of("p2p", "c2c");

    public static AgentSettings from(Config root) {
        Settings s = Settings.of(root, "roam.agent");
        String host = s.string("host").isBlank() ? localHostName() : s.string("host").trim();
        String cluster = s.string("cluster");
        if (!CLUSTER.matcher(cluster).matches()) {
            throw s.bad("cluster", cluster, "1 to 64 of [A-Za-z0-9._-]");
        }
        String topology = s.string("topology");
        if (!TOPOLOGIES.contains(topology)) {
            throw s.bad("topology", topology, "one of p2p (bounded random neighbour sets), c2c (clusters with one"
                    + " manager each)");
        }
        int maxNeighbours = s.integer("max-neighbours", 1, 1000);
        int slots = s.integer("slots", 0, 4096);
        if (slots == 0) {
            slots = Runtime.getRuntime().availableProcessors();
        }
        String pattern = s.string("pcm.socket").isBlank() ? RoamPaths.defaultSocket() : s.string("pcm.socket").trim();
        String socket = pattern.replace("%h", host);
        if (!socket.startsWith("/") || socket.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 100) {
            throw s.bad("pcm.socket", socket, "an absolute path of at most 100 bytes");
        }
        Duration heartbeat = s.duration("pcm.heartbeat", Duration.ZERO, Duration.ofHours(1));
        Duration timeout = s.duration("migration.timeout", Duration.ofSeconds(1), Duration.ofHours(1));
        int port = s.integer("http.port", 0, 65535);
        Duration statusTimeout = s.duration("status-timeout", Duration.ofMillis(100), Duration.ofMinutes(1));
        Duration drainDeadline = s.duration("drain.deadline", Duration.ofSeconds(1), Duration.ofHours(1));
        return new AgentSettings(host, cluster, topology, maxNeighbours, slots, Path.of(socket), heartbeat, timeout,
                s.string("http.interface"), port, statusTimeout, drainDeadline, s.flag("drain.on-stop"),
                s.flag("pcm.check-pid"), pattern);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
