package io.roam.agents;

import io.roam.pcm.wire.PcmConnection;
import io.roam.pcm.wire.PcmMessage.Heartbeat;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.protocol.AgentMessage.ProcessInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PCM processes registered with this agent, by connection and by (job, rank). A
 * process is forgotten when its connection ends. Not thread-safe: owned by one actor.
 */
final class LocalProcesses {
    /** One registered process. */
    record Entry(PcmConnection connection, ProcessInfo info, Heartbeat lastHeartbeat) {
    }

    private final Map<Long, Entry> byConnection = new HashMap<>();

    Entry register(PcmConnection connection, Register r, long nowMillis) {
        ProcessInfo info = new ProcessInfo(r.jobId(), (int) r.rank(), (int) r.size(), r.pid(), r.host(),
                (int) r.moves(), nowMillis);
        Entry e = new Entry(connection, info, null);
        byConnection.put(connection.id(), e);
        return e;
    }

    void heartbeat(PcmConnection connection, Heartbeat h) {
        Entry e = byConnection.get(connection.id());
        if (e != null) {
            byConnection.put(connection.id(), new Entry(e.connection(), e.info(), h));
        }
    }

    Optional<Entry> remove(PcmConnection connection) {
        return Optional.ofNullable(byConnection.remove(connection.id()));
    }

    Optional<Entry> byConnection(PcmConnection connection) {
        return Optional.ofNullable(byConnection.get(connection.id()));
    }

    /** The live process of (job, rank); the newest registration if a stale one lingers. */
    Optional<Entry> find(String jobId, int rank) {
        return byConnection.values().stream()
                .filter(e -> e.info().jobId().equals(jobId) && e.info().rank() == rank)
                .max(Comparator.comparingLong(e -> e.info().registeredAtMillis()));
    }

    List<ProcessInfo> snapshot() {
        List<ProcessInfo> out = new ArrayList<>();
        byConnection.values().forEach(e -> out.add(e.info()));
        out.sort(Comparator.comparing(ProcessInfo::jobId).thenComparingInt(ProcessInfo::rank));
        return out;
    }

    int size() {
        return byConnection.size();
    }
}
