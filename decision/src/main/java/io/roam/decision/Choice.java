package io.roam.decision;

import io.roam.profiling.ProcessProfile;
import java.util.Objects;

/**
 * The process a strategy chose to give to the thief.
 *
 * @param process the chosen process
 * @param score   what the strategy ranked it by (the IOS gain, or the net benefit in seconds)
 * @param reason  why, in one line, for the log
 */
public record Choice(ProcessProfile process, double score, String reason) {
    public Choice {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(reason, "reason");
    }
}
