package io.roam.simulator;

import io.roam.decision.Strategy;
import java.util.ArrayList;
import java.util.List;

/**
 * One run: a scenario, a balancer and a seed give a {@link SimulationResult}, always the same
 * for the same three. The clock runs rounds (load model, conservation check, sample, the
 * balancer's round), the balancer's own events, and the scenario's churn and slowdown.
 */
public final class Simulation {
    private final World world;
    private final Wiring wiring;
    private final Balancer balancer;
    private final String name;
    private final List<RoundSample> samples = new ArrayList<>();
    private long refVersion = -1;
    private LoadModel.Result reference;
    private long nodeRounds;
    private int checks;
    private long reachedMs = -1;
    private int reachedRound = -1;

    private Simulation(Scenario scenario, String balancer, long seed, Strategy strategy) {
        this.world = new World(scenario, seed);
        this.wiring = Setup.build(world);
        this.name = balancer.toLowerCase(java.util.Locale.ROOT);
        this.balancer = Balancers.create(balancer, world, strategy);
    }

    /** Runs {@code balancer} (see {@link Balancers#NAMES}) on the scenario with the real strategy it names. */
    public static SimulationResult run(Scenario scenario, String balancer, long seed) {
        return run(scenario, balancer, seed, Balancers.strategyFor(scenario));
    }

    /** Runs with {@code strategy} as the victims' decision strategy (tests pass a recording one). */
    public static SimulationResult run(Scenario scenario, String balancer, long seed, Strategy strategy) {
        long start = System.nanoTime();
        long cpuStart = cpuNanos();
        Simulation s = new Simulation(scenario, balancer, seed, strategy);
        s.schedule();
        s.world.clock.runUntil(scenario.durationMs());
        World w = s.world;
        return new SimulationResult(s.name, scenario.name(), seed, s.samples, s.reachedMs, s.reachedRound,
                w.migrations, w.messages, w.viewMessages, w.alive().size(), w.clock.processed(), s.nodeRounds,
                System.nanoTime() - start, s.checks, w.trace.value(), cpuStart < 0 ? -1 : cpuNanos() - cpuStart,
                loadAverage());
    }

    /** CPU time of this thread, ns (-1 if the JVM does not measure it). */
    private static long cpuNanos() {
        java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
        return t.isCurrentThreadCpuTimeSupported() ? t.getCurrentThreadCpuTime() : -1;
    }

    /** The load average over the last minute (-1 where /proc/loadavg is missing). */
    static double loadAverage() {
        try {
            return Double.parseDouble(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .split(" ")[0]);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private void schedule() {
        Scenario s = world.scenario;
        world.clock.at(0, () -> round(0));
        balancer.start();
        for (int i = 0; i < s.churn().joins(); i++) {
            world.clock.at(churnTime(), this::join);
        }
        for (int i = 0; i < s.churn().leaves(); i++) {
            world.clock.at(churnTime(), this::leave);
        }
        if (s.slowdown().atMs() > 0) {
            world.clock.at(s.slowdown().atMs(), this::slowdown);
        }
    }

    private long churnTime() {
        Scenario.Churn c = world.scenario.churn();
        return c.startMs() + (c.endMs() > c.startMs() ? world.rnd.nextLong(c.endMs() - c.startMs() + 1) : 0);
    }

    private void round(int number) {
        LoadModel.Result now = LoadModel.apply(world);
        if (refVersion != world.nodeVersion) {
            reference = LoadModel.evaluate(world, Lpt.assign(world));
            refVersion = world.nodeVersion;
        }
        world.checkConservation();
        checks++;
        List<SimNode> alive = world.alive();
        double max = 0;
        double sum = 0;
        double refMax = 0;
        for (SimNode n : alive) {
            max = Math.max(max, now.nodeLoad()[n.id]);
            sum += now.nodeLoad()[n.id];
            refMax = Math.max(refMax, reference.nodeLoad()[n.id]);
        }
        double mean = sum / alive.size();
        RoundSample sample = new RoundSample(world.now(), alive.size(), mean > 0 ? max / mean : 1,
                refMax > 0 ? max / refMax : 1, now.totalJobSec() / Math.max(1e-12, reference.totalJobSec()),
                world.migrations, world.messages / (double) alive.size());
        samples.add(sample);
        world.trace.add(sample.timeMs(), sample.migrations(), world.messages);
        world.trace.addDouble(sample.referenceRatio());
        if (reachedMs < 0 && sample.referenceRatio() <= GreedyBalancer.TARGET) {
            reachedMs = sample.timeMs();
            reachedRound = number;
        }
        nodeRounds += alive.size();
        if (COUNTS_EVERY > 0 && number % COUNTS_EVERY == 0) {
            printCounts(number, sample, alive);
        }
        balancer.onRound();
        world.clock.after(world.scenario.roundMs(), () -> round(number + 1));
    }

    /** Rounds between two histograms of ranks per node on stderr (-Droam.simulation.print-counts=N; 0 = none). */
    private static final int COUNTS_EVERY = Integer.getInteger("roam.simulation.print-counts", 0);

    private void printCounts(int number, RoundSample sample, List<SimNode> alive) {
        java.util.TreeMap<Integer, Integer> hist = new java.util.TreeMap<>();
        for (SimNode n : alive) {
            hist.merge(n.processes.size(), 1, Integer::sum);
        }
        System.err.printf(java.util.Locale.ROOT, "%s round %d ratio %.4f migr %d hist %s%n", name, number,
                sample.referenceRatio(), world.migrations, hist);
    }

    private void join() {
        SimNode n = world.addNode(world.rnd.nextInt(wiring.clusterCount()));
        wiring.join(n);
        balancer.onJoin(n);
    }

    /** A node leaves: it first hands each process to its least loaded alive neighbour (else any node). */
    private void leave() {
        List<SimNode> alive = world.alive();
        if (alive.size() <= 2) {
            return;
        }
        SimNode n = alive.get(world.rnd.nextInt(alive.size()));
        for (SimProcess p : new ArrayList<>(n.processes)) {
            SimNode to = null;
            for (SimNode m : n.neighbours) {
                if (m.alive && (to == null || m.load() + p.job.work / m.speed < to.load() + p.job.work / to.speed)) {
                    to = m;
                }
            }
            if (to == null) {
                List<SimNode> others = alive.stream().filter(m -> m != n).toList();
                to = others.get(world.rnd.nextInt(others.size()));
            }
            world.move(p, to);
        }
        world.markGone(n);
        wiring.leave(n);
    }

    private void slowdown() {
        Scenario.Slowdown s = world.scenario.slowdown();
        List<SimNode> alive = new ArrayList<>(world.alive());
        int k = (int) Math.round(s.share() * alive.size());
        for (int i = 0; i < k; i++) {
            int j = i + world.rnd.nextInt(alive.size() - i);
            SimNode n = alive.get(j);
            alive.set(j, alive.get(i));
            alive.set(i, n);
            n.speed *= s.factor();
        }
        world.speedChanged();
        world.epoch++;
    }
}
