package io.roam.pcm.wire;

import io.roam.pcm.wire.PcmMessage.Bye;
import io.roam.pcm.wire.PcmMessage.Heartbeat;
import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.MigrationFailed;
import io.roam.pcm.wire.PcmMessage.MigrationStarted;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmMessage.Registered;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Sample messages for the codec tests: ordinary, zero, and extreme values of every type. */
final class Samples {
    static final long U32_MAX = 0xFFFF_FFFFL;
    static final long U64_MAX = -1L;
    static final String UNICODE = "jöb-日本語-🚀-Ωμέγα";
    /** 4096 ASCII bytes. */
    static final String MAX_ASCII = "a".repeat(PcmCodec.MAX_STRING);
    /** 4096 UTF-8 bytes made of 2-byte characters. */
    static final String MAX_TWO_BYTE = "é".repeat(PcmCodec.MAX_STRING / 2);
    /** 4096 UTF-8 bytes made of 4-byte characters (surrogate pairs in Java). */
    static final String MAX_FOUR_BYTE = "🚀".repeat(PcmCodec.MAX_STRING / 4);
    /** The most peers that fit in one HEARTBEAT frame. */
    static final int MAX_PEERS = (PcmCodec.MAX_FRAME - 4 - 5 * 8 - 4) / PeerTraffic.WIRE_BYTES;

    private Samples() {
    }

    static Register register(long rank) {
        return new Register("job-1", rank, 4, 1000 + rank, "node-a", 0, "/usr/bin/heat", 1024);
    }

    static List<PcmMessage> all() {
        List<PcmMessage> m = new ArrayList<>();
        m.add(register(0));
        m.add(new Register("", 0, 0, 0, "", 0, "", 0));
        m.add(new Register(UNICODE, U32_MAX, U32_MAX, U32_MAX, MAX_TWO_BYTE, U32_MAX, MAX_FOUR_BYTE, U64_MAX));
        m.add(new Register("job-2", 1, 2, 3, "node-a", 0, "/bin/app", 0, "node-a,node-b"));
        m.add(new Register(MAX_ASCII, 1, 2, 3, UNICODE, 4, "/bin/ümlaut", Long.MIN_VALUE));
        m.add(new PcmMessage.ProcessFlags(PcmMessage.ProcessFlags.MALLEABLE));
        m.add(new PcmMessage.ProcessFlags(0));
        m.add(new PcmMessage.ProcessFlags(U32_MAX));
        m.add(new Registered("agent-ß", 1000));
        m.add(new Registered("", 0));
        m.add(new Registered(MAX_FOUR_BYTE, U32_MAX));
        m.add(new Heartbeat(1, 2, 3, 4, 5, List.of()));
        m.add(new Heartbeat(0, 0, 0, 0, 0, List.of()));
        m.add(new Heartbeat(U64_MAX, Long.MAX_VALUE, Long.MIN_VALUE, U64_MAX, U64_MAX,
                List.of(new PeerTraffic(0, 0, 0), new PeerTraffic(U32_MAX, U64_MAX, U64_MAX))));
        m.add(new Heartbeat(7, 8, 9, 10, 11, peers(1000)));
        m.add(new Heartbeat(7, 8, 9, 10, 11, peers(MAX_PEERS)));
        m.add(new Migrate(42, "node-b", 0));
        m.add(new Migrate(U64_MAX, UNICODE, U64_MAX));
        m.add(new Migrate(0, "", 0));
        m.add(new PcmMessage.Resize(7, 4, "node-b,node-c", 100));
        m.add(new PcmMessage.Resize(U64_MAX, U32_MAX, MAX_ASCII, U64_MAX));
        m.add(new PcmMessage.Resize(0, 1, "", 0));
        m.add(new PcmMessage.ResizeDone(7, "job-1", 2, 4, 1_700_000_000_000_000_000L, 300_000_000L, 20_000_000L,
                5_000_000L, 330_000_000L));
        m.add(new PcmMessage.ResizeDone(0, "", 0, 0, 0, 0, 0, 0, 0));
        m.add(new PcmMessage.ResizeDone(U64_MAX, MAX_FOUR_BYTE, U32_MAX, U32_MAX, U64_MAX, U64_MAX, U64_MAX,
                U64_MAX, U64_MAX));
        m.add(new MigrationStarted(42, 1234));
        m.add(new MigrationStarted(0, 0));
        m.add(new MigrationStarted(U64_MAX, U64_MAX));
        m.add(new PcmMessage.MigrationProgress(42, 1 << 20, 16 << 20));
        m.add(new PcmMessage.MigrationProgress(0, 0, 0));
        m.add(new PcmMessage.MigrationProgress(U64_MAX, U64_MAX, U64_MAX));
        m.add(new PcmMessage.MigrationStalled(42, 1, 61_000, "the departing process of job j waits in MPI_Intercomm_merge"));
        m.add(new PcmMessage.MigrationStalled(0, 0, 0, ""));
        m.add(new PcmMessage.MigrationStalled(U64_MAX, U32_MAX, U64_MAX, MAX_FOUR_BYTE));
        m.add(new MigrationDone(42, "job-1", 3, "node-a", 4242, 1 << 20, 1, 2, 3, 4, 5, 6));
        m.add(new MigrationDone(0, "", 0, "", 0, 0, 0, 0, 0, 0, 0, 0));
        m.add(new MigrationDone(U64_MAX, UNICODE, U32_MAX, MAX_ASCII, U32_MAX, U64_MAX,
                U64_MAX, U64_MAX, U64_MAX, U64_MAX, U64_MAX, U64_MAX));
        m.add(new MigrationFailed(42, PcmErrors.PCM_ERR_SUPERSEDED, "superseded by order 43"));
        m.add(new MigrationFailed(0, 0, ""));
        m.add(new MigrationFailed(U64_MAX, Integer.MIN_VALUE, MAX_TWO_BYTE));
        m.add(new MigrationFailed(1, Integer.MAX_VALUE, UNICODE));
        m.add(new Bye(Bye.Reason.FINALIZED));
        m.add(new Bye(Bye.Reason.MIGRATED));
        m.add(new PcmMessage.Error(PcmErrors.PCM_ERR_PROTOCOL, "bad frame"));
        m.add(new PcmMessage.Error(0, ""));
        m.add(new PcmMessage.Error(Integer.MIN_VALUE, MAX_FOUR_BYTE));
        m.add(new PcmMessage.Error(Integer.MAX_VALUE, UNICODE));
        return m;
    }

    static List<PeerTraffic> peers(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> new PeerTraffic(i, i * 3L, (long) i << 33))
                .toList();
    }

    /** Short description for a dynamic test name. */
    static String describe(PcmMessage m) {
        String s = m.toString();
        return PcmMessage.typeName(m.type()) + " " + (s.length() > 80 ? s.substring(0, 80) + "..." : s);
    }
}
