package io.roam.simulator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.roam.config.Settings;
import io.roam.decision.DecisionSettings;
import io.roam.stealing.StealSettings;
import java.io.File;
import java.time.Duration;
import java.util.List;

/**
 * A validated simulation scenario: the {@code roam.simulation} keys (the simulator's
 * reference.conf documents each one) and the real {@code roam.stealing} and
 * {@code roam.decision} settings the simulated nodes run. A bad value fails with
 * {@link IllegalArgumentException} naming the key, the value and what is allowed.
 */
public record Scenario(String name, int nodes, long durationMs, long roundMs, Cpu cpu, Topo topology, Net network,
                       Apps applications, Placement placement, long spawnMs, Churn churn, Slowdown slowdown,
                       StealSettings stealing, DecisionSettings decision) {
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
        Settings s = Settings.of(root, "roam.simulation", "scenario");
        int nodes = s.integer("nodes", 2, 100_000);
        long duration = millis(s, "duration", 1000, Duration.ofDays(7).toMillis());
        long round = millis(s, "round", 100, 600_000);
        Cpu cpu = new Cpu(s.positive("cpu.base-speed"), s.oneOf("cpu.distribution",
                List.of("homogeneous", "uniform", "bimodal")), 0, 0,
                s.number("cpu.slow-share", 0, 1), s.number("cpu.slow-factor", 0, 1));
        double min = s.number("cpu.min", 0, 100);
        if (!(min > 0)) {
            throw s.bad("cpu.min", min, "above 0, at most cpu.max");
        }
        double max = s.number("cpu.max", min, 100);
        if (!(cpu.slowFactor() > 0)) {
            throw s.bad("cpu.slow-factor", cpu.slowFactor(), "above 0, at most 1");
        }
        cpu = new Cpu(cpu.baseSpeed(), cpu.distribution(), min, max, cpu.slowShare(), cpu.slowFactor());
        Topo topo = new Topo(s.oneOf("topology.kind", List.of("p2p", "c2c")),
                s.integer("topology.neighbours", 1, 100), s.integer("topology.clusters", 1, 1000));
        if (topo.clusters() > nodes) {
            throw s.bad("topology.clusters", topo.clusters(), "1 to 1000 and at most nodes (" + nodes + ")");
        }
        Net net = new Net(millis(s, "network.latency", 0, 10_000), millis(s, "network.wan-latency", 0, 10_000),
                s.bytes("network.bandwidth", 1024, 100L << 30), s.bytes("network.wan-bandwidth", 1024, 100L << 30),
                s.number("network.loss", 0, 0.5));
        Apps apps = new Apps(s.integer("applications.jobs", 1, 100_000),
                s.integer("applications.processes-per-job", 1, 10_000),
                s.oneOf("applications.graph", List.of("stencil", "ring", "random", "none")),
                s.integer("applications.random-degree", 1, 100), s.positive("applications.work"),
                s.number("applications.work-spread", 0, 0.9),
                s.bytes("applications.message-bytes", 0, 10L << 30),
                s.bytes("applications.state-bytes", 0, 1L << 40));
        if ((long) apps.jobs() * apps.processesPerJob() > 2_000_000) {
            throw s.bad("applications.jobs", apps.jobs(), "at most 2000000 processes in all (jobs x processes-per-job)");
        }
        Placement placement = new Placement(s.oneOf("placement.kind", List.of("packed", "random")),
                s.number("placement.packed-share", 0, 1));
        if (!(placement.packedShare() > 0)) {
            throw s.bad("placement.packed-share", placement.packedShare(), "above 0, at most 1");
        }
        long spawn = millis(s, "migration.spawn", 0, 600_000);
        int joins = s.integer("churn.joins", 0, 100_000);
        int leaves = s.integer("churn.leaves", 0, 100_000);
        if (leaves >= nodes + joins) {
            throw s.bad("churn.leaves", leaves, "0 to 100000, fewer than nodes + churn.joins (" + (nodes + joins) + ")");
        }
        boolean churning = joins + leaves > 0;
        long start = millis(s, "churn.start", 0, churning ? duration : Long.MAX_VALUE);
        Churn churn = new Churn(joins, leaves, start,
                millis(s, "churn.end", churning ? start : 0, churning ? duration : Long.MAX_VALUE));
        Slowdown slow = new Slowdown(millis(s, "slowdown.at", 0, duration), s.number("slowdown.share", 0, 1),
                s.number("slowdown.factor", 0, 1));
        if (!(slow.factor() > 0)) {
            throw s.bad("slowdown.factor", slow.factor(), "above 0, at most 1");
        }
        return new Scenario(s.string("name"), nodes, duration, round, cpu, topo, net, apps, placement, spawn,
                churn, slow, stealing, decision);
    }

    /** Total processes of the scenario. */
    public int processes() {
        return applications.jobs() * applications.processesPerJob();
    }

    /** A duration in whole milliseconds, from min to max ms (max Long.MAX_VALUE: no upper bound). */
    private static long millis(Settings s, String key, long min, long max) {
        String allowed = max == Long.MAX_VALUE ? "at least " + Settings.format(Duration.ofMillis(min))
                : Settings.format(Duration.ofMillis(min)) + " to " + Settings.format(Duration.ofMillis(max));
        return s.duration(key, Duration.ofMillis(min), Duration.ofMillis(max), allowed).toMillis();
    }
}
