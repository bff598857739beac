package io.roam.protocol;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
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
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/**
 * The Kryo registrations of every class that travels between agents, with fixed ids.
 * Ids are part of the wire format between agents of one cluster: never renumber, only add.
 * Registration is required, so bytes naming any other class are refused.
 */
public final class RoamKryo {
    /** First id of Roam's classes (Kryo's own registrations use the low ids). */
    static final int BASE = 100;

    /** Every registered class and its id; the round-trip test covers each of them. */
    public static final Map<Class<?>, Integer> IDS = Map.ofEntries(
            Map.entry(NodeInfo.class, BASE + 1),
            Map.entry(AgentMessage.StatusQuery.class, BASE + 2),
            Map.entry(AgentMessage.NodeStatus.class, BASE + 3),
            Map.entry(AgentMessage.ProcessInfo.class, BASE + 4),
            Map.entry(AgentMessage.MigrateRank.class, BASE + 5),
            Map.entry(AgentMessage.ExpectArrival.class, BASE + 6),
            Map.entry(MigrationEvent.class, BASE + 7),
            Map.entry(MigrationEvent.Phase.class, BASE + 8),
            Map.entry(MigrationEvent.MigrationTimes.class, BASE + 9),
            Map.entry(ProcessProfile.class, BASE + 10),
            Map.entry(ProcessProfile.PeerTraffic.class, BASE + 11),
            Map.entry(NodeProfile.class, BASE + 12),
            Map.entry(AgentMessage.ProbeRequest.class, BASE + 13),
            Map.entry(AgentMessage.ProbeReply.class, BASE + 14),
            Map.entry(byte[].class, BASE + 15),
            Map.entry(NetworkProfile.class, BASE + 16),
            Map.entry(LinkProfile.class, BASE + 17),
            Map.entry(InterfaceStat.class, BASE + 18),
            Map.entry(AgentMessage.SetDrained.class, BASE + 19),
            Map.entry(StealMessage.StealRequest.class, BASE + 20),
            Map.entry(StealMessage.StealOffer.class, BASE + 21),
            Map.entry(StealMessage.StealRefused.class, BASE + 22),
            Map.entry(StealMessage.StealAnswer.class, BASE + 23),
            Map.entry(StealMessage.StealOutcome.class, BASE + 24),
            Map.entry(StealMessage.NeighbourView.class, BASE + 25),
            Map.entry(StealMessage.JobRank.class, BASE + 26),
            Map.entry(AgentMessage.StopAgent.class, BASE + 27),
            Map.entry(AgentMessage.Steal.class, BASE + 28),
            Map.entry(AgentMessage.MoveMeasured.class, BASE + 29),
            Map.entry(Summary.class, BASE + 30),
            Map.entry(MoveEffect.class, BASE + 31),
            Map.entry(MoveEffect.Verdict.class, BASE + 32),
            // the informed stealing protocol's gossip (simulation branch; 138 to keep clear of 133+)
            Map.entry(StealMessage.Hint.class, BASE + 38),
            // 140 to 149: the web view and metrics
            Map.entry(MigrationHistory.class, BASE + 40),
            Map.entry(MigrationHistory.Entry.class, BASE + 41),
            Map.entry(MigrationHistory.Query.class, BASE + 42),
            Map.entry(NodeHistory.class, BASE + 43),
            Map.entry(NodeHistory.Series.class, BASE + 44),
            Map.entry(NodeHistory.JobSeries.class, BASE + 45),
            Map.entry(NodeHistory.Move.class, BASE + 46),
            Map.entry(NodeHistory.Query.class, BASE + 47),
            // 160 to 169: resizing a job (issue 22)
            Map.entry(AgentMessage.ResizeJob.class, BASE + 60),
            Map.entry(ResizeEvent.class, BASE + 61),
            Map.entry(ResizeEvent.Phase.class, BASE + 62),
            Map.entry(ResizeEvent.ResizeTimes.class, BASE + 63),
            Map.entry(NodeHistory.Resize.class, BASE + 64),
            // 170 to 179: the informed protocol's swaps (issue 23)
            Map.entry(StealMessage.SwapHint.class, BASE + 70),
            Map.entry(StealMessage.SwapRequest.class, BASE + 71),
            Map.entry(StealMessage.SwapOffer.class, BASE + 72));

    static final int LIST_ID = BASE + 50;
    static final int LIST_EMPTY_ID = BASE + 51;
    static final int LIST_SMALL_ID = BASE + 52;
    static final int ACTOR_REF_ID = BASE + 53;
    static final int LIST_N_ID = BASE + 54;

    private RoamKryo() {
    }

    /** A Kryo configured for agent messages; actor refs resolve through {@code resolver}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Kryo create(ActorRefResolver resolver) {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        ImmutableListSerializer lists = new ImmutableListSerializer();
        kryo.register(ArrayList.class, lists, LIST_ID);
        kryo.register(List.of().getClass(), lists, LIST_EMPTY_ID);
        kryo.register(List.of(1).getClass(), lists, LIST_SMALL_ID);
        kryo.register(adapterClass(), new ActorRefSerializer(resolver), ACTOR_REF_ID);
        for (Map.Entry<Class<?>, Integer> e : IDS.entrySet()) {
            Class<?> type = e.getKey();
            if (type == byte[].class) {
                kryo.register(type, new BytesSerializer(), e.getValue());
            } else if (type.isRecord()) {
                kryo.register(type, new RecordSerializer(type), e.getValue());
            } else {
                kryo.register(type, e.getValue());
            }
        }
        kryo.register(List.of(1, 2, 3).getClass(), lists, LIST_N_ID);
        return kryo;
    }

    private static Class<?> adapterClass() {
        try {
            return Class.forName("org.apache.pekko.actor.typed.internal.adapter.ActorRefAdapter");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Pekko's typed ActorRefAdapter is not on the class path", e);
        }
    }

    /** Lists travel as size + elements and come back as unmodifiable lists. */
    static final class ImmutableListSerializer extends Serializer<List<Object>> {
        ImmutableListSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, List<Object> list) {
            output.writeVarInt(list.size(), true);
            for (Object o : list) {
                kryo.writeClassAndObject(output, o);
            }
        }

        @Override
        public List<Object> read(Kryo kryo, Input input, Class<? extends List<Object>> type) {
            int n = input.readVarInt(true);
            if (n < 0 || n > input.limit()) {
                throw new IllegalArgumentException("list of " + n + " elements in a message of " + input.limit() + " bytes");
            }
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(kryo.readClassAndObject(input));
            }
            return List.copyOf(out);
        }
    }

    /** Byte arrays travel as length + bytes; a length beyond the message is refused before any allocation. */
    static final class BytesSerializer extends Serializer<byte[]> {
        @Override
        public void write(Kryo kryo, Output output, byte[] bytes) {
            output.writeVarInt(bytes.length, true);
            output.writeBytes(bytes);
        }

        @Override
        public byte[] read(Kryo kryo, Input input, Class<? extends byte[]> type) {
            int n = input.readVarInt(true);
            if (n < 0 || n > input.limit() - input.position()) {
                throw new IllegalArgumentException("byte array of " + n + " bytes in a message of " + input.limit()
                        + " bytes");
            }
            return input.readBytes(n);
        }
    }

    /** Typed actor refs travel in Pekko's own serialization format, resolved on arrival. */
    static final class ActorRefSerializer extends Serializer<ActorRef<?>> {
        private final ActorRefResolver resolver;

        ActorRefSerializer(ActorRefResolver resolver) {
            this.resolver = resolver;
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, ActorRef<?> ref) {
            output.writeString(resolver.toSerializationFormat(ref));
        }

        @Override
        public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
            return resolver.resolveActorRef(input.readString());
        }
    }
}
