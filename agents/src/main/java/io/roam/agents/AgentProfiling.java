package io.roam.agents;

import io.roam.pcm.wire.PcmMessage;
import io.roam.profiling.CpuSpeedProbe;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.NodeProfiler;
import io.roam.profiling.ProcFs;
import io.roam.profiling.ProcessProfile;
import io.roam.profiling.ProcessRates;
import io.roam.profiling.ProfilingSettings;
import io.roam.protocol.AgentMessage.ProcessInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the agent knows about its node and its processes: the node profiler, each process's
 * last heartbeat and its rates. Plain class owned by the agent actor, which calls
 * {@link #sample} at the profiling period.
 */
final class AgentProfiling {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AgentProfiling.class);
    private final ProcFs procFs = new ProcFs();
    private final NodeProfiler profiler;
    private final ProcessRates rates = new ProcessRates();
    private final Map<String, PcmMessage.Heartbeat> heartbeats = new HashMap<>();
    private NodeProfile node;
    private final CpuSpeedProbe probe;
    /** Probes still to run again (roam.profiling.probe-repeats), the samples taken, the probe under way. */
    private int repeatsLeft;
    private long samples;
    private java.util.concurrent.CompletableFuture<Double> reprobe;

    AgentProfiling(String host, ProfilingSettings settings) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        this.probe = new CpuSpeedProbe(settings.probeSweeps(), settings.probeRuns());
        double speed = probe.measure();
        this.profiler = new NodeProfiler(host, procFs, settings.cpuSource(procFs, cores), cores, speed,
                settings.smoothingOldWeight(), System::currentTimeMillis);
        this.repeatsLeft = settings.probeRepeats();
        LOG.info("CPU speed probe: {} updates/s per core", String.format(java.util.Locale.ROOT, "%.3g", speed));
        this.node = profiler.profile();
    }

    /**
     * The CPU speed probe again, at the 2nd, 4th, 8th, ... sample while repeats are left, on
     * a thread of its own (a probe takes a few hundred ms of CPU; the agent's actor must not
     * wait for it); its result is taken at a later sample, and the best probe counts.
     */
    private void reprobe() {
        if (reprobe != null && reprobe.isDone()) {
            Double probed = reprobe.getNow(null);
            double before = profiler.speedPerCore();
            if (probed != null && profiler.raiseSpeed(probed)) {
                LOG.info("CPU speed probe again: {} updates/s per core, up from {} (the best probe counts)",
                        String.format(java.util.Locale.ROOT, "%.3g", probed),
                        String.format(java.util.Locale.ROOT, "%.3g", before));
            }
            reprobe = null;
        }
        samples++;
        if (reprobe == null && repeatsLeft > 0 && samples >= 2 && Long.bitCount(samples) == 1) {
            repeatsLeft--;
            reprobe = java.util.concurrent.CompletableFuture.supplyAsync(probe::measure, command -> {
                Thread t = new Thread(command, "roam-cpu-probe");
                t.setDaemon(true);
                t.start();
            }).exceptionally(e -> null);
        }
    }

    String source() {
        return profiler.source();
    }

    void heartbeat(ProcessInfo p, PcmMessage.Heartbeat h) {
        heartbeats.put(key(p), h);
    }

    void gone(ProcessInfo p) {
        heartbeats.remove(key(p));
    }

    /** One sample: the node's profile and every process's, taken together. */
    record Sample(NodeProfile node, List<ProcessProfile> processes) {
    }

    /** Samples the node and every process. */
    Sample sample(Iterable<ProcessInfo> processes) throws IOException {
        double waiting = 0;
        long rss = 0;
        List<ProcessProfile> profiles = new ArrayList<>();
        Set<String> live = new HashSet<>();
        for (ProcessInfo p : processes) {
            ProcessProfile pp = sampleProcess(p);
            profiles.add(pp);
            live.add(key(p));
            waiting += pp.waitingCores();
            rss += Math.max(0, pp.rssBytes());
        }
        rates.retain(live);
        reprobe();
        node = profiler.sample(waiting, rss);
        return new Sample(node, List.copyOf(profiles));
    }

    NodeProfile node() {
        return node;
    }

    private ProcessProfile sampleProcess(ProcessInfo p) {
        PcmMessage.Heartbeat h = heartbeats.get(key(p));
        long now = System.currentTimeMillis();
        long cpu = procFs.processCpuMillis(p.pid()).orElse(-1);
        ProcessRates.Rates r = rates.sample(key(p), now, cpu, h == null ? 0 : h.computeNs(), h == null ? 0 : h.mpiNs());
        return build(p, h, now, cpu, r);
    }

    /** A process's profile: /proc now, its last heartbeat (zeros before the first), its last rates. */
    ProcessProfile profile(ProcessInfo p) {
        long cpu = procFs.processCpuMillis(p.pid()).orElse(-1);
        return build(p, heartbeats.get(key(p)), System.currentTimeMillis(), cpu, rates.rates(key(p)));
    }

    private ProcessProfile build(ProcessInfo p, PcmMessage.Heartbeat h, long now, long cpu, ProcessRates.Rates r) {
        List<ProcessProfile.PeerTraffic> peers = h == null ? List.of() : h.peers().stream()
                .map(t -> new ProcessProfile.PeerTraffic((int) t.rank(), t.messages(), t.bytes())).toList();
        return new ProcessProfile(p.jobId(), p.rank(), p.pid(), p.moves(), now, cpu,
                procFs.processRssBytes(p.pid()).orElse(-1), h == null ? 0 : h.stateBytes(),
                h == null ? 0 : h.iteration(), h == null ? 0 : h.iterationNs(), h == null ? 0 : h.computeNs(),
                h == null ? 0 : h.mpiNs(), r.cpuShare(), r.computeShare(), peers);
    }

    static String key(ProcessInfo p) {
        return p.jobId() + "/" + p.rank() + "/" + p.pid();
    }
}
