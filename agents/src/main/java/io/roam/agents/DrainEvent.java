package io.roam.agents;

import io.roam.protocol.MigrationEvent;
import java.util.List;
import java.util.Map;

/**
 * One line of a drain's progress, as the control API streams it (JSON) and the agent logs
 * it. {@code type}: INFO, PLAN (a rank and the target chosen for it, with the gain),
 * MIGRATION (a phase of a rank's move, as {@code roam migrate} shows them), RESIZE (a phase of
 * a malleable job's shrink that makes room, roam.agent.drain.shrink-malleable), REFUSED (nothing
 * moved, {@code detail} says why) and FINISHED (what moved where, and for each rank left
 * behind, why). REFUSED and FINISHED are last.
 */
public record DrainEvent(String type, String node, String jobId, int rank, String target, String phase,
                         String detail, double gain, MigrationEvent.MigrationTimes times, List<String> moved,
                         Map<String, String> notMoved, long atMillis) {
    public DrainEvent {
        moved = moved == null ? List.of() : List.copyOf(moved);
        notMoved = notMoved == null ? Map.of() : Map.copyOf(notMoved);
    }

    /** Whether this is the drain's last event. */
    public boolean last() {
        return type.equals("REFUSED") || type.equals("FINISHED");
    }

    /** Whether the drain emptied the node. */
    public boolean emptied() {
        return type.equals("FINISHED") && notMoved.isEmpty();
    }

    static DrainEvent info(String node, String detail) {
        return new DrainEvent("INFO", node, null, -1, null, null, detail, Double.NaN, null, null, null, now());
    }

    static DrainEvent refused(String node, String detail) {
        return new DrainEvent("REFUSED", node, null, -1, null, null, detail, Double.NaN, null, null, null, now());
    }

    static DrainEvent plan(String node, String job, int rank, String target, double gain) {
        return new DrainEvent("PLAN", node, job, rank, target, null, String.format(java.util.Locale.ROOT,
                "job %s rank %d -> %s (gain %.3f)", job, rank, target, gain), gain, null, null, null, now());
    }

    static DrainEvent migration(MigrationEvent e, String target) {
        return new DrainEvent("MIGRATION", null, e.jobId(), e.rank(), target, e.phase().name(), e.detail(),
                Double.NaN, e.times(), null, null, e.atMillis());
    }

    static DrainEvent resize(String node, io.roam.protocol.ResizeEvent e) {
        return new DrainEvent("RESIZE", node, e.jobId(), -1, null, e.phase().name(), "job " + e.jobId() + " "
                + e.oldSize() + " -> " + e.newSize() + " processes: " + e.phase() + (e.detail() == null
                || e.detail().isEmpty() ? "" : " " + e.detail()), Double.NaN, null, null, null, e.atMillis());
    }

    static DrainEvent finished(String node, List<String> moved, Map<String, String> notMoved) {
        long shrunk = moved.stream().filter(m -> m.endsWith("(shrunk)")).count();
        String detail = notMoved.isEmpty() ? node + " holds no managed process; moved " + (moved.size() - shrunk)
                + " rank(s)" + (shrunk > 0 ? ", shrank " + shrunk + " malleable job(s)" : "")
                : node + " still holds " + notMoved.size() + " rank(s), left running: " + notMoved;
        return new DrainEvent("FINISHED", node, null, -1, null, null, detail, Double.NaN, null, moved, notMoved,
                now());
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
