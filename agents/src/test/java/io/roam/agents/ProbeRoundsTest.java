package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.agents.ProbeRounds.Done;
import io.roam.agents.ProbeRounds.Probe;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProbeRoundsTest {
    private static final long S = 1_000_000_000L;

    /** Answers every probe of a round at once (payload in two parts), {@code rtt} after {@code sent}. */
    private static void answerAll(ProbeRounds r, List<Probe> probes, long sent, long rtt) {
        for (Probe p : probes) {
            if (p.bytes() > 0) {
                r.replied(p.seq(), p.bytes() / 2, sent, sent + rtt);
            }
            r.replied(p.seq(), p.bytes() - p.bytes() / 2, sent, sent + rtt);
        }
    }

    @Test
    void aPayloadOnEachPeersFirstThenEveryNthProbe() {
        ProbeRounds r = new ProbeRounds(16, 3, 4096, 10 * S);
        int[] payloads = new int[7];
        for (int round = 0; round < 7; round++) {
            List<Probe> probes = r.next(List.of("a", "b"), round * S);
            assertThat(probes.stream().filter(p -> p.bytes() == 0)).extracting(Probe::peer)
                    .containsExactlyInAnyOrder("a", "b");
            payloads[round] = (int) probes.stream().filter(p -> p.bytes() == 4096).count();
            answerAll(r, probes, round * S, 1000);
            assertThat(r.idle()).isTrue();
        }
        assertThat(payloads).containsExactly(2, 0, 0, 2, 0, 0, 2);
        assertThat(new ProbeRounds(16, 0, 4096, S).next(List.of("a"), 0)).extracting(Probe::bytes).containsExactly(0);
    }

    @Test
    void atMostMaxPeersPerRoundTakingTurns() {
        ProbeRounds r = new ProbeRounds(2, 0, 1024, 10 * S);
        List<String> peers = List.of("e", "a", "d", "b", "c");
        StringBuilder order = new StringBuilder();
        for (int round = 0; round < 5; round++) {
            List<Probe> probes = r.next(peers, round * S);
            assertThat(probes).hasSize(2);
            probes.forEach(p -> order.append(p.peer()));
            answerAll(r, probes, round * S, 1000);
        }
        assertThat(order.toString()).isEqualTo("abcdeabcde");
        assertThat(new ProbeRounds(0, 1, 1024, S).next(peers, 0)).isEmpty();
    }

    @Test
    void aPeerWithAProbeOutIsSkippedUntilItExpires() {
        ProbeRounds r = new ProbeRounds(16, 0, 1024, 10 * S);
        List<Probe> first = r.next(List.of("slow", "fast"), 0);
        Probe fast = first.stream().filter(p -> p.peer().equals("fast")).findFirst().orElseThrow();
        assertThat(r.replied(fast.seq(), 0, 0, 3_000_000)).contains(new Done("fast", 0, 3_000_000));
        List<Probe> second = r.next(List.of("slow", "fast"), S);
        assertThat(second).extracting(Probe::peer).containsExactly("fast");
        answerAll(r, second, S, 1000);
        assertThat(r.idle()).isFalse();
        // 11 s later the first probe to "slow" is forgotten and it is probed again; a late answer counts for nothing
        List<Probe> later = r.next(List.of("slow", "fast"), 11 * S);
        assertThat(later).extracting(Probe::peer).containsExactlyInAnyOrder("slow", "fast");
        Probe lost = first.stream().filter(p -> p.peer().equals("slow")).findFirst().orElseThrow();
        assertThat(r.replied(lost.seq(), 0, 0, 12 * S)).isEmpty();
    }

    @Test
    void aPayloadIsDoneWhenAllOfItsBytesAreAnsweredAndTimedFromItsStart() {
        ProbeRounds r = new ProbeRounds(16, 1, 200_000, 10 * S);
        Probe payload = r.next(List.of("a"), 0).get(1);
        assertThat(payload.bytes()).isEqualTo(200_000);
        long sent = 5_000;
        assertThat(r.replied(payload.seq(), 65_536, sent, sent + 100)).isEmpty();
        assertThat(r.replied(payload.seq(), 65_536, sent, sent + 200)).isEmpty();
        assertThat(r.replied(payload.seq(), 65_536, sent, sent + 300)).isEmpty();
        assertThat(r.replied(payload.seq(), 3_392, sent, sent + 400)).contains(new Done("a", 200_000, 400));
        assertThat(r.replied(12345, 0, 0, 1)).as("never sent").isEmpty();
    }

    @Test
    void forgottenPeersLoseTheirProbes() {
        ProbeRounds r = new ProbeRounds(16, 0, 1024, 10 * S);
        Probe p = r.next(List.of("a", "b"), 0).get(0);
        r.retain(List.of("b"));
        assertThat(r.replied(p.seq(), 0, 0, 1)).isEmpty();
        assertThat(r.next(List.of("a", "b"), S)).extracting(Probe::peer).containsExactly("a");
    }

    @Test
    void payloadChunksAddUpAndStayUnderTheFrameLimit() {
        List<byte[]> chunks = LinkProber.chunks(200_000, new Random(1));
        assertThat(chunks).hasSize(4);
        assertThat(chunks.stream().mapToInt(c -> c.length).sum()).isEqualTo(200_000);
        assertThat(chunks).allMatch(c -> c.length <= io.roam.protocol.AgentMessage.ProbeRequest.MAX_PAYLOAD);
        assertThat(LinkProber.chunks(1024, new Random(1))).hasSize(1).allMatch(c -> c.length == 1024);
    }
}
