package io.roam.decision;

import java.util.List;
import java.util.Objects;

/**
 * IOS's rule: gain = wp x processing gain + wc x communication gain; a candidate whose gain
 * is above the threshold and that no veto stops may move, and the highest gain wins (ties:
 * the smallest state, then the lowest rank). The vetoes: rates not known yet; the process
 * waits in MPI more than it computes; the thief lacks the memory for it; and on the
 * {@link Evidence} (medians over a window, {@link EvidenceRules}): too few samples, it would
 * not run at least min-speedup times faster on the thief, the difference is within the
 * noise, or the move would not pay back its cost within payback-horizon.
 */
public final class IosStrategy implements Strategy {
    /** Its name in {@link Strategies}. */
    public static final String NAME = "ios";
    /** Its one-line description. */
    public static final String DESCRIPTION = "IOS: weighted processing and communication gain above a threshold,"
            + " with vetoes for unknown, waiting, not faster or too big processes";

    private final DecisionSettings settings;
    private final IosModel model;

    public IosStrategy(DecisionSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.model = new IosModel(settings);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DecisionSettings settings() {
        return settings;
    }

    @Override
    public String description() {
        return DESCRIPTION;
    }

    @Override
    public Decision decide(Situation s) {
        List<Evaluation> evaluations = s.candidates().stream().map(p -> model.evaluate(p, s)).toList();
        return IosModel.choose(evaluations, e -> IosModel.fmt(
                "gain %.3f (processing %.3f, communication %.3f) above the threshold %.3f; %s", e.gain(),
                e.processingGain(), e.communicationGain(), settings.threshold(), model.evidence(e, s)));
    }
}
