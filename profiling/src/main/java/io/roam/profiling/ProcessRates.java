package io.roam.profiling;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Per-process rates over the agent's sampling period, from cumulative counters: the cores a
 * process used (/proc CPU time over wall time) and the share of its time spent computing
 * (libpcm's compute time over compute plus MPI time). Not thread-safe: owned by one actor.
 */
public final class ProcessRates {
    /** The rates of one process; -1 while unknown. */
    public record Rates(double cpuShare, double computeShare) {
        static final Rates UNKNOWN = new Rates(-1, -1);
    }

    private record Last(long atMillis, long cpuMillis, long computeNs, long mpiNs, Rates rates, int samples) {
    }

    private final Map<String, Last> last = new HashMap<>();

    /**
     * Records a sample of process {@code key} and returns its rates since the previous one
     * (or the previous rates if nothing advanced). {@code cpuMillis} -1 = unknown. The first
     * period of a process is skipped: a new process (or a replacement that has just arrived)
     * spends it starting, and its rates there say nothing about its node.
     */
    public Rates sample(String key, long atMillis, long cpuMillis, long computeNs, long mpiNs) {
        Last prev = last.get(key);
        Rates rates = prev == null ? Rates.UNKNOWN : prev.rates;
        if (prev != null && atMillis > prev.atMillis && prev.samples >= 2) {
            double cpu = cpuMillis < 0 || prev.cpuMillis < 0 ? -1
                    : Math.max(0, (double) (cpuMillis - prev.cpuMillis) / (atMillis - prev.atMillis));
            long dc = computeNs - prev.computeNs;
            long dm = mpiNs - prev.mpiNs;
            double compute = dc < 0 || dm < 0 || dc + dm == 0 ? rates.computeShare : (double) dc / (dc + dm);
            rates = new Rates(cpu, compute);
        }
        if (prev == null || atMillis > prev.atMillis) {
            last.put(key, new Last(atMillis, cpuMillis, computeNs, mpiNs, rates, prev == null ? 1 : prev.samples + 1));
        }
        return rates;
    }

    /** The last rates of a process without sampling. */
    public Rates rates(String key) {
        Last l = last.get(key);
        return l == null ? Rates.UNKNOWN : l.rates;
    }

    /** Forgets every process not in {@code live}. */
    public void retain(Set<String> live) {
        last.keySet().retainAll(live);
    }
}
