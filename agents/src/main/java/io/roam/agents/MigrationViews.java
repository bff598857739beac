package io.roam.agents;

import io.roam.decision.MoveEffect;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.MigrationTimes;
import io.roam.protocol.MigrationHistory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The migrations of the whole cluster as {@code GET /api/migrations} and the web view show
 * them: every agent's {@link MigrationHistory} merged, newest first, each with its current
 * phase and, once DONE, the duration of each phase as libpcm timed it.
 */
public final class MigrationViews {
    private MigrationViews() {
    }

    /**
     * One migration. {@code id} is the order id in hexadecimal (the number does not fit a
     * JavaScript number); {@code phase} the latest phase; {@code phaseMillis} decide, spawn,
     * merge, transfer, resume and total in ms (DONE only, else empty). {@code effect} is what
     * the move did to its job once the target measured it ({@link Effect}), else null.
     */
    public record MigrationView(String id, String jobId, int rank, String source, String target,
                                long startedAtMillis, String phase, boolean finished, long endedAtMillis,
                                long stateBytes, Map<String, Double> phaseMillis, List<MigrationEvent> events,
                                Effect effect) {
    }

    /**
     * A move's measured effect: its verdict (GAIN, NO_GAIN, WORSE, UNMEASURED), the job's
     * median iteration time before and after it in ms (null when not measured), their ratio,
     * and the sentence that says it ("24.0 → 5.90 ms per iteration (0.25 x), gain").
     */
    public record Effect(String verdict, Double beforeMs, Double afterMs, Double ratio, String text) {
        static Effect of(MoveEffect e) {
            if (e == null) {
                return null;
            }
            Double before = e.beforeNs().samples() == 0 ? null : e.beforeNs().median() / 1e6;
            Double after = e.afterNs().samples() == 0 ? null : e.afterNs().median() / 1e6;
            Double ratio = Double.isNaN(e.ratio()) ? null : e.ratio();
            return new Effect(e.verdict().name(), before, after, ratio, e.describe());
        }
    }

    public static List<MigrationView> of(List<MigrationHistory> histories) {
        List<MigrationView> all = new ArrayList<>();
        for (MigrationHistory h : histories) {
            for (MigrationHistory.Entry e : h.migrations()) {
                all.add(view(e));
            }
        }
        all.sort(Comparator.comparingLong(MigrationView::startedAtMillis).reversed()
                .thenComparing(MigrationView::id));
        return all;
    }

    static MigrationView view(MigrationHistory.Entry e) {
        MigrationEvent last = e.last();
        MigrationTimes t = null;
        for (MigrationEvent ev : e.events()) {
            t = ev.times() != null ? ev.times() : t;
        }
        return new MigrationView(Long.toHexString(e.orderId()), e.jobId(), e.rank(), e.source(), e.target(),
                e.startedAtMillis(), last == null ? "REQUESTED" : last.phase().name(), e.finished(),
                e.finished() ? last.atMillis() : 0, t == null ? 0 : t.stateBytes(), phaseMillis(t), e.events(),
                Effect.of(e.effect()));
    }

    /** Each phase's duration in ms, in the order of AgentMetrics.PHASES; empty without times. */
    static Map<String, Double> phaseMillis(MigrationTimes t) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (t == null) {
            return out;
        }
        long[] at = {t.tOrder(), t.tDecided(), t.tSpawned(), t.tMerged(), t.tTransferred(), t.tResumed()};
        for (int i = 0; i < 5; i++) {
            out.put(AgentMetrics.PHASES[i], MigrationTimes.ms(at[i], at[i + 1]));
        }
        out.put("total", MigrationTimes.ms(t.tOrder(), t.tResumed()));
        return out;
    }
}
