package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LinkEstimatorTest {
    private static final long MS = 1_000_000;

    @Test
    void rttIsSmoothedLikeTheNodeAndUnknownUntilMeasured() {
        LinkEstimator e = new LinkEstimator(0.25);
        assertThat(e.link("a")).isEmpty();
        LinkProfile first = e.rtt("a", "host-a", 40 * MS, 1000);
        assertThat(first.rttMillis()).isEqualTo(40.0);
        assertThat(first.bandwidthBytesPerSec()).isEqualTo(-1);
        assertThat(first.bandwidthKnown()).isFalse();
        LinkProfile second = e.rtt("a", "host-a", 120 * MS, 2000);
        assertThat(second.rttMillis()).isCloseTo(0.25 * 40 + 0.75 * 120, within(1e-9));
        assertThat(second.samples()).isEqualTo(2);
        assertThat(second.atMillis()).isEqualTo(2000);
        assertThat(second.peerHost()).isEqualTo("host-a");
    }

    @Test
    void bandwidthIsBytesOverTheExtraTimeOfThePayload() {
        LinkEstimator e = new LinkEstimator(0.25);
        assertThat(e.payload("a", "h", 1 << 20, 50 * MS)).as("no base RTT yet").isFalse();
        e.rtt("a", "h", 10 * MS, 1);
        e.rtt("a", "h", 2 * MS, 2);     // the base RTT: the shortest recent one
        e.rtt("a", "h", 6 * MS, 3);
        // 1 MiB took 10 ms longer than the base: 100 MiB/s
        assertThat(e.payload("a", "h", 1 << 20, 12 * MS)).isTrue();
        assertThat(e.link("a").orElseThrow().bandwidthBytesPerSec()).isCloseTo((1 << 20) / 0.010, within(1e-3));
        // a second sample at 50 MiB/s (the peer was late to answer): a lower bound, the best stands
        e.payload("a", "h", 1 << 20, 22 * MS);
        assertThat(e.link("a").orElseThrow().bandwidthBytesPerSec()).isCloseTo((1 << 20) / 0.010, within(1e-3));
        // a faster sample raises it at once
        e.payload("a", "h", 1 << 20, 7 * MS);
        assertThat(e.link("a").orElseThrow().bandwidthBytesPerSec()).isCloseTo((1 << 20) / 0.005, within(1e-3));
    }

    @Test
    void aLinkThatGotSlowerShowsOnceItsFasterSamplesAreOld() {
        LinkEstimator e = new LinkEstimator(0.25);
        e.rtt("a", "h", 2 * MS, 1);
        e.payload("a", "h", 1 << 20, 12 * MS);                  // 100 MiB/s
        for (int i = 0; i < LinkEstimator.BANDWIDTH_WINDOW - 1; i++) {
            e.payload("a", "h", 1 << 20, 42 * MS);              // 25 MiB/s
            assertThat(e.link("a").orElseThrow().bandwidthBytesPerSec()).isCloseTo((1 << 20) / 0.010, within(1e-3));
        }
        e.payload("a", "h", 1 << 20, 42 * MS);
        assertThat(e.link("a").orElseThrow().bandwidthBytesPerSec()).isCloseTo((1 << 20) / 0.040, within(1e-3));
    }

    @Test
    void aPayloadNoSlowerThanTheBaseGivesNoSampleAndNeverZero() {
        LinkEstimator e = new LinkEstimator(0.25);
        e.rtt("a", "h", 5 * MS, 1);
        assertThat(e.payload("a", "h", 65536, 5 * MS)).isFalse();
        assertThat(e.payload("a", "h", 65536, 4 * MS)).isFalse();
        assertThat(e.link("a").orElseThrow().bandwidthBytesPerSec()).isEqualTo(-1);
        assertThat(e.payload("a", "h", 0, 9 * MS)).isFalse();
    }

    @Test
    void theBaseRttForgetsOldSamples() {
        LinkEstimator e = new LinkEstimator(0);
        e.rtt("a", "h", 1 * MS, 0);     // a fast past, then the link gets slower
        for (int i = 0; i < LinkEstimator.BASE_WINDOW; i++) {
            e.rtt("a", "h", 40 * MS, i);
        }
        // the base is now 40 ms: 4 MB in 40 ms more = 100 MB/s (with a base of 1 ms it would be 51 MB/s)
        e.payload("a", "h", 4_000_000, 80 * MS);
        assertThat(e.link("a").orElseThrow().bandwidthBytesPerSec()).isCloseTo(1e8, within(1.0));
    }

    @Test
    void peersAreKeptApartAndForgotten() {
        LinkEstimator e = new LinkEstimator(0.25);
        e.rtt("b", "hb", 3 * MS, 1);
        e.rtt("a", "ha", 7 * MS, 1);
        e.rtt("a", "ha", -5, 2);        // a clock oddity: ignored
        assertThat(e.links()).extracting(LinkProfile::peerAddress).containsExactly("a", "b");
        assertThat(e.link("a").orElseThrow().rttMillis()).isEqualTo(7.0);
        assertThat(e.link("a").orElseThrow().samples()).isEqualTo(1);
        e.retain(List.of("b", "c"));
        assertThat(e.links()).extracting(LinkProfile::peerAddress).containsExactly("b");
    }

    @Test
    void aKernelRateIsASampleOfTheSameWindow() {
        LinkEstimator e = new LinkEstimator(0.25);
        assertThat(e.rate("a", "h", 0)).isFalse();
        assertThat(e.rate("a", "h", Double.NaN)).isFalse();
        assertThat(e.link("a")).as("no sample, no link").isEmpty();
        // no base RTT needed: the kernel timed it
        assertThat(e.rate("a", "h", 2e9)).isTrue();
        assertThat(e.link("a").orElseThrow().bandwidthBytesPerSec()).isEqualTo(2e9);
        // a starved probe's sample after it does not lower the best
        e.rtt("a", "h", 2 * MS, 1);
        e.payload("a", "h", 64 << 10, 12 * MS);
        assertThat(e.link("a").orElseThrow().bandwidthBytesPerSec()).isEqualTo(2e9);
        // once the window has moved past it, the rest count
        for (int i = 0; i < LinkEstimator.BANDWIDTH_WINDOW - 1; i++) {
            e.rate("a", "h", 5e8);
        }
        assertThat(e.link("a").orElseThrow().bandwidthBytesPerSec()).isEqualTo(5e8);
    }
}
