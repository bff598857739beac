package io.roam.decision;

import io.roam.profiling.ProcessProfile;
import java.util.Objects;

/**
 * How a strategy judged one candidate, chosen or not, so that callers can log why.
 *
 * @param process           the candidate
 * @param processingGain    (P_thief - P_local) / (P_thief + P_local), -1 to 1
 * @param communicationGain (C_thief - C_local) / (C_thief + C_local), -1 to 1
 * @param gain              the weighted sum of the two
 * @param benefitSeconds    predicted time saved over the horizon, s; NaN when not computed
 * @param costSeconds       predicted stall of the job while it moves, s; NaN when not computed
 * @param score             what the strategy ranks candidates by; NaN when not computed
 * @param veto              why this candidate may not move, or null when it may
 */
public record Evaluation(ProcessProfile process, double processingGain, double communicationGain, double gain,
                         double benefitSeconds, double costSeconds, double score, String veto) {
    public Evaluation {
        Objects.requireNonNull(process, "process");
    }

    /** How a veto for too few samples of a figure starts. */
    public static final String TOO_FEW_SAMPLES = "not enough samples yet";

    /** Whether the candidate is vetoed only until its figures have enough samples. */
    public boolean tooFewSamples() {
        return veto != null && veto.startsWith(TOO_FEW_SAMPLES);
    }

    /** Whether the candidate may not move. */
    public boolean vetoed() {
        return veto != null;
    }

    /** This evaluation with a veto (the first veto found is kept). */
    Evaluation withVeto(String reason) {
        return vetoed() ? this : new Evaluation(process, processingGain, communicationGain, gain, benefitSeconds,
                costSeconds, score, reason);
    }

    /** This evaluation with a predicted benefit, cost and score. */
    Evaluation withPayback(double benefit, double cost, double newScore) {
        return new Evaluation(process, processingGain, communicationGain, gain, benefit, cost, newScore, veto);
    }
}
