package io.roam.simulator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.roam.decision.DecisionSettings;
import io.roam.protocol.stealing.StealSettings;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A validated simulation scenario: the {@code roam.simulation} keys (the simulator's
 * reference.conf documents each one) and the real {@code roam.stealing} and
 * {@code roam.decision} settings the simulated nodes run. A bad value fails with
 * {@link IllegalArgumentException} naming the key, the value and what is allowed.
 */
public record Scenario(String name, int nodes, long durationMs, long roundMs, Cpu cpu, Topo topology, Net network,
                       Apps applications, Placement placement, long spawnMs, Churn churn, Slowdown slowdown,
                       StealSettings stealing, DecisionSettings decision) {
    private static final String PREFIX = "roam.simulation.";

    /** CPU speeds: {@code distribution} is homogeneous, uniform or bimodal. */
    public record Cpu(double baseSpeed, String distribution, double min, double max, double slowShare,
                      double slowFactor) {
    }

    /** {@code kind} is p2p or c2c. */
    public record Topo(String kind, int neighbours, int clusters) {
        public boolean c2c() {
            return kind.equals("c2c");
        }
    }

    /** Latencies in ms, bandwidths in bytes/s, loss a probability. */
    public record Net(long latencyMs, long wanLatencyMs, double bandwidth, double wanBandwidth, double loss) {
    }

    /** The jobs: {@code graph} is stencil, ring, random or none. */
    public record Apps(int jobs, int processesPerJob, String graph, int randomDegree, double work, double workSpread,
                       long messageBytes, long stateBytes) {
    }

    /** {@code kind} is packed or random. */
    public record Placement(String kind, double packedShare) {
    }

    /** Joins and leaves at uniformly random times in [startMs, endMs]. */
    public record Churn(int joins, int leaves, long startMs, long endMs) {
    }

    /** At {@code atMs} (0 = never) a share of the nodes slows down to factor x its speed. */
    public record Slowdown(long atMs, double share, double factor) {
    }

    /** The scenario in {@code file}, over the reference configuration. */
    public static Scenario load(File file) {
        if (!file.isFile()) {
            throw new IllegalArgumentException("no scenario file " + file);
        }
        return from(ConfigFactory.parseFile(file).withFallback(ConfigFactory.defaultReference()).resolve());
    }

    /** The scenario from a HOCON text, over the reference configuration (tests use it). */
    public static Scenario parse(String hocon) {
        return from(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve());
    }

    /** The scenario from {@code root}'s {@code roam.simulation}, {@code roam.stealing} and {@code roam.decision}. */
    public static Scenario from(Config root) {
        StealSettings stealing = StealSettings.from(root);
        DecisionSettings decision = DecisionSettings.from(root);
        try {
            Config c = root.getConfig("roam.simulation");
            int nodes = integer(c, "nodes", 2, 100_000);
            long duration = millis(c, "duration", 1000, Duration.ofDays(7).toMillis());
            long round = millis(c, "round", 100, 600_000);
            Cpu cpu = new Cpu(positive(c, "cpu.base-speed"), oneOf(c, "cpu.distribution",
                    List.of("homogeneous", "uniform", "bimodal")), 0, 0,
                    number(c, "cpu.slow-share", 0, 1), number(c, "cpu.slow-factor", 0, 1));
            double min = number(c, "cpu.min", 0, 100);
            if (!(min > 0)) {
                throw bad("cpu.min", min, "above 0, at most cpu.max");
            }
            double max = number(c, "cpu.max", min, 100);
            if (!(cpu.slowFactor() > 0)) {
                throw bad("cpu.slow-factor", cpu.slowFactor(), "above 0, at most 1");
            }
            cpu = new Cpu(cpu.baseSpeed(), cpu.distribution(), min, max, cpu.slowShare(), cpu.slowFactor());
            Topo topo = new Topo(oneOf(c, "topology.kind", List.of("p2p", "c2c")),
                    integer(c, "topology.neighbours", 1, 100), integer(c, "topology.clusters", 1, 1000));
            if (topo.clusters() > nodes) {
                throw bad("topology.clusters", topo.clusters(), "1 to 1000 and at most nodes (" + nodes + ")");
            }
            Net net = new Net(millis(c, "network.latency", 0, 10_000), millis(c, "network.wan-latency", 0, 10_000),
                    bytes(c, "network.bandwidth", 1024, 100L << 30), bytes(c, "network.wan-bandwidth", 1024, 100L << 30),
                    number(c, "network.loss", 0, 0.5));
            Apps apps = new Apps(integer(c, "applications.jobs", 1, 100_000),
                    integer(c, "applications.processes-per-job", 1, 10_000),
                    oneOf(c, "applications.graph", List.of("stencil", "ring", "random", "none")),
                    integer(c, "applications.random-degree", 1, 100), positive(c, "applications.work"),
                    number(c, "applications.work-spread", 0, 0.9),
                    bytes(c, "applications.message-bytes", 0, 10L << 30),
                    bytes(c, "applications.state-bytes", 0, 1L << 40));
            if ((long) apps.jobs() * apps.processesPerJob() > 2_000_000) {
                throw bad("applications.jobs", apps.jobs(), "at most 2000000 processes in all (jobs x processes-per-job)");
            }
            Placement placement = new Placement(oneOf(c, "placement.kind", List.of("packed", "random")),
                    number(c, "placement.packed-share", 0, 1));
            if (!(placement.packedShare() > 0)) {
                throw bad("placement.packed-share", placement.packedShare(), "above 0, at most 1");
            }
            long spawn = millis(c, "migration.spawn", 0, 600_000);
            int joins = integer(c, "churn.joins", 0, 100_000);
            int leaves = integer(c, "churn.leaves", 0, 100_000);
            if (leaves >= nodes + joins) {
                throw bad("churn.leaves", leaves, "0 to 100000, fewer than nodes + churn.joins (" + (nodes + joins) + ")");
            }
            boolean churning = joins + leaves > 0;
            long start = millis(c, "churn.start", 0, churning ? duration : Long.MAX_VALUE);
            Churn churn = new Churn(joins, leaves, start,
                    millis(c, "churn.end", churning ? start : 0, churning ? duration : Long.MAX_VALUE));
            Slowdown slow = new Slowdown(millis(c, "slowdown.at", 0, duration), number(c, "slowdown.share", 0, 1),
                    number(c, "slowdown.factor", 0, 1));
            if (!(slow.factor() > 0)) {
                throw bad("slowdown.factor", slow.factor(), "above 0, at most 1");
            }
            return new Scenario(c.getString("name"), nodes, duration, round, cpu, topo, net, apps, placement, spawn,
                    churn, slow, stealing, decision);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid scenario: " + e.getMessage(), e);
        }
    }

    /** Total processes of the scenario. */
    public int processes() {
        return applications.jobs() * applications.processesPerJob();
    }

    private static int integer(Config c, String key, int min, int max) {
        long v = c.getLong(key);
        if (v < min || v > max) {
            throw bad(key, v, min + " to " + max);
        }
        return (int) v;
    }

    private static double number(Config c, String key, double min, double max) {
        double v = c.getDouble(key);
        if (!(v >= min && v <= max)) {
            throw bad(key, v, fmt(min) + " to " + fmt(max));
        }
        return v;
    }

    private static double positive(Config c, String key) {
        double v = c.getDouble(key);
        if (!(v > 0) || Double.isInfinite(v)) {
            throw bad(key, v, "a finite number above 0");
        }
        return v;
    }

    private static long millis(Config c, String key, long min, long max) {
        long v = c.getDuration(key).toMillis();
        if (v < min || v > max) {
            throw bad(key, c.getValue(key).unwrapped(), min + " ms to " + max + " ms");
        }
        return v;
    }

    private static long bytes(Config c, String key, long min, long max) {
        long v = c.getBytes(key);
        if (v < min || v > max) {
            throw bad(key, c.getValue(key).unwrapped(), min + " to " + max + " bytes");
        }
        return v;
    }

    private static String oneOf(Config c, String key, List<String> allowed) {
        String v = c.getString(key).toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw bad(key, v, "one of " + String.join(", ", allowed));
        }
        return v;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static IllegalArgumentException bad(String key, Object value, String allowed) {
        return new IllegalArgumentException("invalid scenario " + PREFIX + key + " = " + value + ": allowed " + allowed);
    }
}
