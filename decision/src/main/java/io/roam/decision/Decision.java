package io.roam.decision;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A strategy's answer to one steal request: the process to give, if any, and how every
 * candidate was judged (in the order of {@link Situation#candidates()}).
 */
public record Decision(Optional<Choice> choice, List<Evaluation> evaluations) {
    public Decision {
        Objects.requireNonNull(choice, "choice");
        evaluations = List.copyOf(Objects.requireNonNull(evaluations, "evaluations"));
    }
}
