package io.roam.decision;

import io.roam.profiling.ProcessProfile;
import java.util.List;
import java.util.Objects;

/**
 * Roam's rule: IOS's gain, threshold and vetoes (those on the {@link Evidence} included),
 * then the expected payback over iterations. With c the process's compute time per iteration
 * now (iterationNs x computeShare), and the medians of its processing here and of the
 * thief's offer from the evidence, c' = c x here / there; the benefit is (c - c') x
 * horizon-iterations, the cost the job's stall while it moves: stateBytes / transfer rate
 * (measured, else default-transfer-rate) + spawn-cost. It moves
 * only if benefit > payback-factor x cost; the score is benefit - cost in seconds and the
 * highest wins (ties: the smallest state, then the lowest rank).
 */
public final class CostAwareStrategy implements Strategy {
    /** Its name in {@link Strategies}. */
    public static final String NAME = "cost-aware";
    /** Its one-line description. */
    public static final String DESCRIPTION = "IOS's gain and vetoes, then only a move whose time saved over the"
            + " horizon pays back its state transfer and spawn cost";

    private final DecisionSettings settings;
    private final IosModel model;

    public CostAwareStrategy(DecisionSettings settings) {
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
        List<Evaluation> evaluations = s.candidates().stream().map(p -> payback(model.evaluate(p, s), s)).toList();
        return IosModel.choose(evaluations, e -> IosModel.fmt(
                "pays back: benefit %.3f s over %d iterations > %.2f x cost %.3f s (gain %.3f); %s", e.benefitSeconds(),
                settings.horizonIterations(), settings.paybackFactor(), e.costSeconds(), e.gain(),
                model.evidence(e, s)));
    }

    /** The evaluation with the predicted benefit, cost and net score, vetoed if the move does not pay back. */
    Evaluation payback(Evaluation e, Situation s) {
        ProcessProfile p = e.process();
        double cost = model.rules().payback(p, s).costSeconds();
        if (p.iterationNs() <= 0) {
            return e.withPayback(Double.NaN, cost, Double.NaN).withVeto("iteration time unknown: no payback estimate");
        }
        double there = s.evidence().thiefOffer().median();
        if (!(there > 0)) {
            return e.withPayback(Double.NaN, cost, Double.NaN).withVeto("no processing available on the thief");
        }
        double here = Math.max(0, s.evidence().here(p).median());
        double computeNow = p.iterationNs() / 1e9 * Math.max(0, p.computeShare());
        double computeThere = computeNow * here / there;
        double benefit = (computeNow - computeThere) * settings.horizonIterations();
        Evaluation scored = e.withPayback(benefit, cost, benefit - cost);
        if (!(benefit > settings.paybackFactor() * cost)) {
            return scored.withVeto(IosModel.fmt("does not pay back: benefit %.3f s over %d iterations <= %.2f x"
                    + " cost %.3f s", benefit, settings.horizonIterations(), settings.paybackFactor(), cost));
        }
        return scored;
    }
}
