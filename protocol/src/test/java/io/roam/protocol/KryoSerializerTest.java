package io.roam.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.io.Output;
import io.roam.protocol.AgentMessage.ExpectArrival;
import io.roam.protocol.AgentMessage.MigrateRank;
import io.roam.protocol.AgentMessage.NodeStatus;
import io.roam.protocol.AgentMessage.ProbeReply;
import io.roam.protocol.AgentMessage.ProbeRequest;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.protocol.AgentMessage.StatusQuery;
import io.roam.protocol.MigrationEvent.MigrationTimes;
import io.roam.protocol.MigrationEvent.Phase;
import io.roam.decision.MoveEffect;
import io.roam.decision.Summary;
import io.roam.profiling.InterfaceStat;
import io.roam.profiling.LinkProfile;
import io.roam.profiling.NetworkProfile;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage;
import io.roam.topologies.NodeInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every agent message round-trips through Pekko's serialization with Kryo, actor refs included. */
class KryoSerializerTest {
    private static ActorTestKit kit;
    private static Serialization serialization;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("kryo-test");
        serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    /** One or more instances of every registered message class. */
    static List<Object> samples() {
        TestProbe<NodeStatus> statusProbe = kit.createTestProbe();
        TestProbe<MigrationEvent> eventProbe = kit.createTestProbe();
        TestProbe<ProbeReply> replyProbe = kit.createTestProbe();
        NodeInfo node = new NodeInfo("pekko://roam@10.0.0.1:2552", "cluster-a", "10.0.0.1", 3);
        ProcessInfo p = new ProcessInfo("job-1", 2, 4, 4242, "10.0.0.1", 1, 1_700_000_000_000L);
        MigrationTimes times = new MigrationTimes(64L << 20, 1, 2, 3, 4, 5, 6);
        NodeProfile nodeProfile = new NodeProfile("10.0.0.1", 9, 2, 1.5, 1.5e9, 0.25, 2.2e9, 24L << 30, -1, 7L << 20);
        ProcessProfile profile = new ProcessProfile("job-1", 2, 4242, 1, 5, 1200, -1, 64L << 20, 300, 2_000_000,
                7, 8, 0.5, 0.75, List.of(new ProcessProfile.PeerTraffic(1, 300, 300 * 4096), new ProcessProfile.PeerTraffic(3, 1, 2)));
        NetworkProfile network = new NetworkProfile(
                List.of(new InterfaceStat("eth0", 78_371_332, 424_436, 1.5e6, -1, -1),
                        new InterfaceStat("veth-h1", 0, 1, 0, 0, 10_000)),
                List.of(new LinkProfile("pekko://roam@10.0.0.2:2552", "10.0.0.2", 0.42, 1.1e9, 12, 1_700_000_000_000L),
                        new LinkProfile("pekko://roam@10.0.0.3:2552", "h3", -1, -1, 0, 0)));
        byte[] payload = new byte[ProbeRequest.MAX_PAYLOAD];
        new java.util.Random(1).nextBytes(payload);
        List<Object> all = new ArrayList<>();
        all.add(new StatusQuery(statusProbe.getRef()));
        all.add(new NodeStatus(node, 1_700_000_000_000L, true, 8, List.of(p, p.withMalleable(true)), List.of("a", "b", "c"), List.of(profile), nodeProfile, network, false, "/run/roam/agent-%h.sock"));
        all.add(new NodeStatus(node, 0, false, 1, List.of(), List.of(), List.of(), nodeProfile, NetworkProfile.EMPTY, true, ""));
        all.add(new NodeStatus(node, 0, false, 2, List.of(p), List.of("only"), List.of(profile, profile), nodeProfile,
                new NetworkProfile(List.of(), network.links().subList(1, 2)), false, "/tmp/a.sock"));
        all.add(new AgentMessage.SetDrained(true, statusProbe.getRef()));
        all.add(new AgentMessage.SetDrained(false, statusProbe.getRef()));
        all.add(new AgentMessage.StopAgent("roam stop from 10.0.0.9", false));
        all.add(new ProbeRequest(1, System.nanoTime(), new byte[0], replyProbe.getRef()));
        all.add(new ProbeRequest(Long.MAX_VALUE, -7, payload, replyProbe.getRef()));
        all.add(new ProbeReply(3, 123_456_789_012L, ProbeRequest.MAX_PAYLOAD));
        all.add(p);
        all.add(p.withMalleable(true).withStalled("waits in MPI_Comm_spawn"));   // PROCESS_FLAGS carried
        all.add(new MigrateRank("job-ü", 7, "pekko://roam@10.0.0.2:2552", eventProbe.getRef()));
        TestProbe<AgentMessage> agentProbe = kit.createTestProbe();
        all.add(new ExpectArrival(Long.MAX_VALUE, "job", 0, eventProbe.getRef(), Summary.of(5.3e6, 5.5e6, 5.4e6),
                agentProbe.getRef()));
        all.add(new ExpectArrival(1, "job", 0, eventProbe.getRef(), Summary.NONE, agentProbe.getRef()));
        MoveEffect effect = MoveEffect.judge(Summary.steady(24e6, 8), Summary.of(5.8e6, 6e6, 5.9e6, 6.1e6, 5.7e6), 5,
                3, 0.05);
        all.add(new AgentMessage.MoveMeasured(9, "job", 1, "pekko://roam@10.0.0.2:2552", "h2", effect));
        all.add(new MigrationEvent(9, "job", 1, Phase.DONE, 123, "moved", times));
        all.add(new MigrationEvent(9, "job", 1, Phase.FAILED, 123, "spawn failed", null));
        all.add(times);
        TestProbe<ResizeEvent> resizeProbe = kit.createTestProbe();
        all.add(new AgentMessage.ResizeJob("job-1", 4, List.of("h2", "h3"), resizeProbe.getRef()));
        all.add(new AgentMessage.ResizeJob("job-1", 1, List.of(), resizeProbe.getRef()));
        ResizeEvent.ResizeTimes resizeTimes = new ResizeEvent.ResizeTimes(1_700_000_000_000_000_000L, 300_000_000L,
                20_000_000L, 5_000_000L, 330_000_000L);
        all.add(new ResizeEvent(7, "job-1", 2, 4, ResizeEvent.Phase.DONE, 123, "2 -> 4", resizeTimes));
        all.add(new ResizeEvent(8, "job-1", 4, 2, ResizeEvent.Phase.FAILED, 124, "spawn failed", null));
        all.add(resizeTimes);
        TestProbe<MigrationHistory> historyProbe = kit.createTestProbe();
        all.add(new MigrationHistory.Query(historyProbe.getRef()));
        MigrationHistory.Entry entry = new MigrationHistory.Entry(9, "job", 1, "10.0.0.1", "10.0.0.2", 120,
                List.of(new MigrationEvent(9, "job", 1, Phase.ACCEPTED, 121, "from a to b", null),
                        new MigrationEvent(9, "job", 1, Phase.DONE, 130, "moved", times)), effect);
        all.add(entry);
        all.add(new MigrationHistory("10.0.0.1", List.of(entry,
                new MigrationHistory.Entry(10, "job", 2, "10.0.0.1", "10.0.0.3", 140, List.of(), null))));
        all.add(new MigrationHistory("h", List.of()));
        TestProbe<NodeHistory> nodeHistoryProbe = kit.createTestProbe();
        all.add(new NodeHistory.Query(nodeHistoryProbe.getRef()));
        NodeHistory.Series series = new NodeHistory.Series(1000, java.nio.ByteBuffer.allocate(8).putFloat(1.5f)
                .putFloat(Float.NaN).array());
        all.add(new NodeHistory("10.0.0.1", 1000, series, List.of(new NodeHistory.JobSeries("job", series)),
                List.of(new NodeHistory.Move(1500, "job", 1, "10.0.0.1", "10.0.0.2")),
                List.of(new NodeHistory.Resize(1600, "job", 2, 4), new NodeHistory.Resize(1700, "job", 4, 3))));
        all.add(new NodeHistory("h", 10_000, new NodeHistory.Series(0, new byte[0]), List.of(), List.of()));
        for (StealMessage m : List.of(
                new StealMessage.StealRequest(1L << 40, "pekko://roam@10.0.0.3:2552", nodeProfile, List.of(profile), 2,
                        List.of("pekko://roam@10.0.0.4:2552")),
                new StealMessage.StealRequest(2, "t", nodeProfile, List.of(), 0, List.of()),
                new StealMessage.StealOffer(3, "v", "job-1", 2, 0.61, 64L << 20),
                new StealMessage.StealRefused(4, "v", "nothing worth giving"),
                new StealMessage.StealAnswer(5, "t", true, "accepted"),
                new StealMessage.StealOutcome(6, "v", "job-1", 2, false, "spawn failed"),
                new StealMessage.NeighbourView("a", nodeProfile, List.of(new StealMessage.JobRank("job-1", 0),
                        new StealMessage.JobRank("job-1", 3)), List.of("job-2")),
                new StealMessage.NeighbourView("b", nodeProfile, List.of(), List.of(), 2.5,
                        List.of(new StealMessage.Hint(new NodeInfo("roam://b", "c1", "b", 3), 4.0, 1))),
                new StealMessage.NeighbourView("c", nodeProfile, List.of(), List.of(), 2.5, List.of(), 1.9,
                        List.of(new StealMessage.SwapHint(new NodeInfo("roam://d", "c1", "d", 4), 2.4, 2, 1.2e8, 1.1e8, 1e8,
                                2))),
                new StealMessage.SwapRequest(7, "t", nodeProfile, List.of(profile),
                        List.of(new StealMessage.JobRank("job-1", 0))),
                new StealMessage.SwapOffer(8, "v", "job-2", 3, "job-1", 0, "larger load 2.4 -> 2.0 s"),
                new StealMessage.SwapOffer(9, "v", "job-2", 3, null, -1, "a pull"))) {
            all.add(new AgentMessage.Steal(m));   // how the agents send them
        }
        return all;
    }

    @Test
    void everyMessageRoundTripsThroughTheBoundSerializer() {
        Set<Class<?>> covered = new HashSet<>();
        for (Object m : samples()) {
            Serializer s = serialization.findSerializerFor(m);
            assertThat(s).as("serializer of %s", m.getClass()).isInstanceOf(KryoSerializer.class);
            byte[] bytes = s.toBinary(m);
            Object back = serialization.deserialize(bytes, s.identifier(), "").get();
            assertThat(back).isEqualTo(m);
            covered.add(m.getClass());
            if (m instanceof ResizeEvent) {
                covered.add(ResizeEvent.Phase.class);
            }
            if (m instanceof AgentMessage.MoveMeasured) {
                covered.add(MoveEffect.class);
                covered.add(MoveEffect.Verdict.class);
                covered.add(Summary.class);
            }
            if (m instanceof NodeStatus st) {
                covered.add(NodeInfo.class);
                covered.add(NodeProfile.class);
                covered.add(Phase.class);
                covered.add(NetworkProfile.class);
                st.network().interfaces().forEach(i -> covered.add(i.getClass()));
                st.network().links().forEach(l -> covered.add(l.getClass()));
                if (!st.profiles().isEmpty()) {
                    covered.add(ProcessProfile.class);
                    covered.add(ProcessProfile.PeerTraffic.class);
                }
                assertThat(((NodeStatus) back).processes()).isUnmodifiable();
            }
            if (m instanceof AgentMessage.Steal steal) {
                covered.add(steal.message().getClass());
                if (steal.message() instanceof StealMessage.NeighbourView) {
                    covered.add(StealMessage.JobRank.class);
                    covered.add(NodeProfile.class);
                    if (!((StealMessage.NeighbourView) steal.message()).hints().isEmpty()) {
                        covered.add(StealMessage.Hint.class);
                    }
                    if (!((StealMessage.NeighbourView) steal.message()).swapHints().isEmpty()) {
                        covered.add(StealMessage.SwapHint.class);
                    }
                }
                if (steal.message() instanceof StealMessage.StealRequest r && !r.thiefProcesses().isEmpty()) {
                    covered.add(ProcessProfile.class);
                }
                if (steal.message() instanceof StealMessage.SwapRequest r) {
                    covered.add(ProcessProfile.class);
                    covered.add(StealMessage.JobRank.class);
                    covered.add(NodeProfile.class);
                }
            }
            if (m instanceof ProbeRequest r) {
                covered.add(byte[].class);
                assertThat(((ProbeRequest) back).payload()).isNotSameAs(r.payload()).isEqualTo(r.payload());
            }
            if (m instanceof MigrationEvent e) {
                covered.add(e.phase().getClass());
            }
            if (m instanceof NodeHistory h && !h.jobs().isEmpty()) {
                covered.add(NodeHistory.Series.class);
                covered.add(NodeHistory.JobSeries.class);
                covered.add(NodeHistory.Move.class);
                h.resizes().forEach(r -> covered.add(r.getClass()));
                covered.add(byte[].class);
            }
            if (m instanceof MigrationHistory h && !h.migrations().isEmpty()) {
                covered.add(MigrationHistory.Entry.class);
                covered.add(MigrationEvent.class);
            }
        }
        assertThat(covered).containsAll(RoamKryo.IDS.keySet());
    }

    @Test
    void everyMessageAnAgentCanReceiveHasAFixedId() {
        assertThat(AgentMessage.class.isSealed()).isTrue();
        assertThat(StealMessage.class.isSealed()).isTrue();
        List<Class<?>> permitted = new ArrayList<>(List.of(AgentMessage.class.getPermittedSubclasses()));
        permitted.addAll(List.of(StealMessage.class.getPermittedSubclasses()));
        assertThat(permitted).hasSize(11 + 8).allSatisfy(c -> assertThat(RoamKryo.IDS).containsKey(c));
        assertThat(new HashSet<>(RoamKryo.IDS.values())).as("no id twice").hasSameSizeAs(RoamKryo.IDS.values());
    }

    @Test
    void aStealMessageTravelsOnlyWrapped() {
        KryoSerializer s = new KryoSerializer((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(kit.system()));
        StealMessage bare = new StealMessage.StealRefused(4, "v", "nothing worth giving");
        assertThatThrownBy(() -> s.fromBinaryJava(s.toBinary(bare), null)).hasMessageContaining("not a Roam message");
        Object back = s.fromBinaryJava(s.toBinary(new AgentMessage.Steal(bare)), null);
        assertThat(back).isEqualTo(new AgentMessage.Steal(bare));
    }

    @Test
    void actorRefsArriveUsable() {
        TestProbe<MigrationEvent> probe = kit.createTestProbe();
        MigrateRank m = new MigrateRank("j", 1, "addr", probe.getRef());
        Serializer s = serialization.findSerializerFor(m);
        MigrateRank back = (MigrateRank) serialization.deserialize(s.toBinary(m), s.identifier(), "").get();
        MigrationEvent event = new MigrationEvent(1, "j", 1, Phase.ACCEPTED, 0, "", null);
        back.replyTo().tell(event);
        probe.expectMessage(event);
    }

    @Test
    void aProbeIsAnsweredThroughItsSerializedReplyRef() {
        TestProbe<ProbeReply> probe = kit.createTestProbe();
        ProbeRequest m = new ProbeRequest(5, 99, new byte[1000], probe.getRef());
        Serializer s = serialization.findSerializerFor(m);
        ProbeRequest back = (ProbeRequest) serialization.deserialize(s.toBinary(m), s.identifier(), "").get();
        back.replyTo().tell(back.reply());
        probe.expectMessage(new ProbeReply(5, 99, 1000));
        assertThatThrownBy(() -> new ProbeRequest(1, 1, new byte[ProbeRequest.MAX_PAYLOAD + 1], probe.getRef()))
                .hasMessageContaining("at most " + ProbeRequest.MAX_PAYLOAD);
    }

    @Test
    void aByteArrayLongerThanItsMessageIsRefusedBeforeAllocating() {
        KryoSerializer s = new KryoSerializer((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(kit.system()));
        Output out = new Output(32);
        out.writeVarInt(RoamKryo.IDS.get(byte[].class) + 2, true);   // Kryo writes class ids + 2
        out.writeVarInt(Integer.MAX_VALUE - 8, true);
        out.writeInt(42);
        assertThatThrownBy(() -> s.fromBinaryJava(out.toBytes(), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("byte array of");
    }

    @Test
    void bytesOfAnUnregisteredClassAreRefused() {
        KryoSerializer s = new KryoSerializer((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(kit.system()));
        Output out = new Output(16);
        out.writeVarInt(4000 + 2, true);   // a class id nobody registered
        out.writeInt(42);
        assertThatThrownBy(() -> s.fromBinaryJava(out.toBytes(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refused");
        assertThatThrownBy(() -> s.toBinary(new java.util.Date()))
                .hasMessageContaining("Class is not registered");
    }

    @Test
    void aRegisteredClassThatIsNotAMessageIsRefused() {
        KryoSerializer s = new KryoSerializer((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(kit.system()));
        byte[] nodeOnly = s.toBinary(new NodeInfo("pekko://roam@h:1", "c", "h", 1));
        assertThatThrownBy(() -> s.fromBinaryJava(nodeOnly, null)).hasMessageContaining("not a Roam message");
    }

    @Test
    void truncatedBytesAreRefused() {
        KryoSerializer s = new KryoSerializer((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(kit.system()));
        byte[] bytes = s.toBinary(samples().get(1));
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length / 2);
        assertThatThrownBy(() -> s.fromBinaryJava(cut, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
