package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.Heartbeat;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import io.roam.pcm.wire.PeerTraffic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C client against the Java server with heartbeats on: each heartbeat decodes, and the
 * PMPI counters it carries match what the heat sample really sends (one halo row to each
 * neighbour per iteration).
 */
@Tag("system")
class HeatProfileTest {
    @TempDir
    Path dir;

    @Test
    void heartbeatsCarryEachRanksHaloTraffic() throws Exception {
        Mpi.requireMpirun();
        PcmRecorder agent = new PcmRecorder();
        int cols = 512;
        try (PcmServer server = new PcmServer(dir.resolve("agent.sock"), agent,
                new PcmServer.Options("profile-agent", 20)).start();
             HeatJob job = HeatJob.spec().ranks(4).grid(512, cols).iterations(4000)
                     .agent(server.socketPath()).start(dir.resolve("run"))) {
            job.awaitSuccess(Duration.ofSeconds(120));
            Map<Long, Long> rankOfConnection = agent.received().stream()
                    .filter(r -> r.message() instanceof Register)
                    .collect(Collectors.toMap(r -> r.connection().id(), r -> r.as(Register.class).rank()));
            for (long rank = 0; rank < 4; rank++) {
                long r = rank;
                List<Heartbeat> beats = agent.received().stream()
                        .filter(x -> x.message() instanceof Heartbeat && rankOfConnection.get(x.connection().id()) == r)
                        .map(x -> x.as(Heartbeat.class)).toList();
                assertThat(beats).as("heartbeats of rank %d", rank).hasSizeGreaterThan(1);
                Heartbeat last = beats.get(beats.size() - 1);
                List<Long> expectedPeers = rank == 0 ? List.of(1L) : rank == 3 ? List.of(2L) : List.of(rank - 1, rank + 1);
                assertThat(last.peers()).extracting(PeerTraffic::rank).containsExactlyElementsOf(expectedPeers);
                for (PeerTraffic p : last.peers()) {
                    // heartbeat at the top of iteration k (k = iteration - 1 done): k halo rows sent each way
                    assertThat(p.messages()).isEqualTo(last.iteration() - 1);
                    assertThat(p.bytes()).isEqualTo(p.messages() * cols * Double.BYTES);
                }
                assertThat(last.computeNs()).isPositive();
                assertThat(last.mpiNs()).isPositive();
                assertThat(last.iterationNs()).isPositive();
                assertThat(last.stateBytes()).isZero();   // the sample stores its state only when it moves
                assertThat(beats).extracting(Heartbeat::iteration).isSorted();
            }
            assertThat(agent.messages()).filteredOn(m -> m instanceof PcmMessage.Bye).hasSize(4);
        }
    }
}
