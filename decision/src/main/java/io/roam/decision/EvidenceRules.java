package io.roam.decision;

import io.roam.profiling.ProcessProfile;

/**
 * The rules every strategy applies to the {@link Evidence} before a move: enough samples of
 * both figures, a speedup of the medians (min-speedup), a difference of the medians above
 * the noise (noise-factor x their combined spread), and a cost paid back within the horizon
 * (payback-horizon). Each rule that fails says why, with the figures, for the log.
 */
final class EvidenceRules {
    /**
     * What moving a process would save and cost.
     *
     * @param savedPerSecond share of the job's run time the move would save: compute share x
     *                       (1 - here / there); 0 when there is nothing to gain
     * @param costSeconds    the job's stall while it moves: state / transfer rate + spawn-cost
     */
    record Payback(double savedPerSecond, double costSeconds) {
        /** Run time after which the move has saved its cost; infinite when it saves nothing. */
        double paybackSeconds() {
            return savedPerSecond > 0 ? costSeconds / savedPerSecond : Double.POSITIVE_INFINITY;
        }
    }

    private final DecisionSettings settings;

    EvidenceRules(DecisionSettings settings) {
        this.settings = settings;
    }

    /** Why the evidence does not support moving {@code p} to the thief, or null if it does. */
    String veto(ProcessProfile p, Situation s) {
        Summary here = s.evidence().here(p);
        Summary there = s.evidence().thiefOffer();
        int min = settings.minSamples();
        if (!here.enough(min)) {
            return IosModel.fmt("%s: %d of the %d needed of the rank's processing here", Evaluation.TOO_FEW_SAMPLES,
                    here.samples(), min);
        }
        if (!there.enough(min)) {
            return IosModel.fmt("%s: %d of the %d needed of the thief's processing for one more process",
                    Evaluation.TOO_FEW_SAMPLES, there.samples(), min);
        }
        if (there.median() < settings.minSpeedup() * here.median()) {
            return IosModel.fmt("no speedup: median %s updates/s on the thief < %.2f x median %s updates/s here",
                    there.describe(1), settings.minSpeedup(), here.describe(1));
        }
        if (!here.exceededBy(there, settings.noiseFactor())) {
            return IosModel.fmt("within the noise: thief %s - here %s = %.3g <= %.2f x combined spread %.3g"
                            + " (updates/s)", there.describe(1), here.describe(1), there.median() - here.median(),
                    settings.noiseFactor(), here.combinedSpread(there));
        }
        Payback pb = payback(p, s);
        double horizon = settings.paybackHorizon().toMillis() / 1000.0;
        if (!(pb.paybackSeconds() <= horizon)) {
            return IosModel.fmt("does not pay back within %.0f s: cost %.3f s (%d bytes of state at %.3g B/s"
                            + " + spawn %.3f s), saves %.3f s per second of run (payback %.0f s)", horizon,
                    pb.costSeconds(), p.stateBytes(), rate(s), spawnSeconds(), pb.savedPerSecond(),
                    pb.paybackSeconds());
        }
        return null;
    }

    /** The predicted saving and cost of moving {@code p} to the thief, from the medians. */
    Payback payback(ProcessProfile p, Situation s) {
        double cost = Math.max(0, p.stateBytes()) / rate(s) + spawnSeconds();
        double here = s.evidence().here(p).median();
        double there = s.evidence().thiefOffer().median();
        double saved = 0;
        if (there > 0 && here >= 0 && p.computeShare() > 0) {
            saved = Math.min(1, p.computeShare()) * Math.max(0, 1 - here / there);
        }
        return new Payback(saved, cost);
    }

    /** The transfer rate to the thief: measured, else the default. */
    double rate(Situation s) {
        return s.transferRateKnown() ? s.transferBytesPerSec() : settings.defaultTransferRate();
    }

    double spawnSeconds() {
        return settings.spawnCost().toNanos() / 1e9;
    }
}
