package io.roam.decision;

import io.roam.profiling.ProcessProfile;
import java.util.Objects;
import java.util.Optional;

/**
 * A node's answer to a swap request: the pair to exchange, if any, and why.
 *
 * @param choice the pair, empty when no pair is worth it
 * @param reason why (the chosen pair's loads before and after, or why none), for the log
 */
public record SwapDecision(Optional<Pair> choice, String reason) {
    public SwapDecision {
        Objects.requireNonNull(choice, "choice");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * A pair: {@code give} (of the deciding node) goes to the initiator and {@code take} (of the
     * initiator; null for none) comes back. Loads in s per iteration; {@code before} and
     * {@code after} the larger of the two nodes'.
     */
    public record Pair(ProcessProfile give, ProcessProfile take, double localAfter, double initiatorAfter,
                       double before, double after, double paybackSeconds) {
        public Pair {
            Objects.requireNonNull(give, "give");
        }
    }
}
