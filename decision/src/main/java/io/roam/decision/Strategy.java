package io.roam.decision;

/**
 * Decides which local process, if any, to give to a thief. Implementations are plain,
 * stateless and deterministic: the same situation gives the same decision.
 */
public interface Strategy {
    /** The name it is registered under in {@link Strategies}. */
    String name();

    /** What it does, in one line. */
    String description();

    /**
     * Its settings: whoever keeps the samples for its {@link Evidence} reads the window and
     * the noise factor there.
     */
    DecisionSettings settings();

    /** The decision for one steal request. */
    Decision decide(Situation situation);

    /**
     * The decision for one swap request (the informed protocol's swaps): the pair of moves is
     * judged together, on the nodes' loads ({@link SwapJudge}); the same for every strategy
     * unless it says otherwise.
     */
    default SwapDecision decideSwap(SwapSituation situation) {
        return new SwapJudge(settings()).decide(situation);
    }
}
