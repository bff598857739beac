package io.roam.agents;

import io.roam.pcm.wire.PcmConnection;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.protocol.AgentMessage.ProcessInfo;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The PCM processes registered with this agent, by connection and by (job, rank). A
 * process is forgotten when its connection ends. Not thread-safe: owned by one actor.
 */
final class LocalProcesses {
    /** One registered process. */
    record Entry(PcmConnection connection, ProcessInfo info) {
    }

    private final Map<Long, Entry> byConnection = new HashMap<>();

    Entry register(PcmConnection connection, Register r, long nowMillis) {
        ProcessInfo info = new ProcessInfo(r.jobId(), (int) r.rank(), (int) r.size(), r.pid(), r.host(),
                (int) r.moves(), nowMillis);
        Entry e = new Entry(connection, info);
        byConnection.put(connection.id(), e);
        return e;
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
}
