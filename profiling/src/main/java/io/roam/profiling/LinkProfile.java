package io.roam.profiling;

import java.util.Objects;

/**
 * What an agent measured of its link to one peer agent. {@code rttMillis} is the smoothed
 * round-trip time of a small probe (agent to agent, serialization included);
 * {@code bandwidthBytesPerSec} the best of the recent bandwidth samples from the timing of a
 * larger payload probe (each a lower bound of the link's rate: {@link LinkEstimator}). Both are -1 while unknown (never 0). {@code samples} counts the RTT samples so far,
 * {@code atMillis} is the time of the last one (0 = none).
 */
public record LinkProfile(String peerAddress, String peerHost, double rttMillis, double bandwidthBytesPerSec,
                          long samples, long atMillis) {
    public LinkProfile {
        Objects.requireNonNull(peerAddress, "peerAddress");
        Objects.requireNonNull(peerHost, "peerHost");
        if (!(rttMillis > 0 || rttMillis == -1)) {
            throw new IllegalArgumentException("rttMillis must be > 0 or -1 (unknown), was " + rttMillis);
        }
        if (!(bandwidthBytesPerSec > 0 || bandwidthBytesPerSec == -1)) {
            throw new IllegalArgumentException("bandwidthBytesPerSec must be > 0 or -1 (unknown), was "
                    + bandwidthBytesPerSec);
        }
    }

    public boolean rttKnown() {
        return rttMillis > 0;
    }

    public boolean bandwidthKnown() {
        return bandwidthBytesPerSec > 0;
    }
}
