package io.roam.pcm;

import static io.roam.pcm.wire.PcmErrors.PCM_ERR_ARG;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_INITIALIZED;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_KEY;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_KEY_LENGTH;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_MPI;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_NO_MIGRATION;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_NO_STATE;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_NOT_INITIALIZED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import io.roam.pcm.wire.PcmErrors;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The JNI layer inside this JVM (Surefire runs it with {@code -Xcheck:jni}): MPI as a singleton
 * (one rank, no mpirun). MPI can be initialized once per process, so the tests run in order:
 * calls before init, init, every call and wrong call, the layer under concurrent load, and
 * finalization. Errors that need a restored process (unknown key, wrong type or length) are in
 * {@link PcmJniMigrationTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class PcmJniTest {
    private PcmComm world;

    @BeforeAll
    void requireLibrary() {
        if (!Pcm.isAvailable()) {
            String why = "the PCM native library is not available: " + Pcm.unavailabilityCause();
            if (System.getenv("CI") != null) {
                fail("CI is set and " + why);
            }
            Assumptions.abort(why + "; skipped outside CI only");
        }
    }

    private static void expect(int code, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(PcmException.class, e -> {
            assertThat(e.codeName()).isEqualTo(PcmErrors.name(code));
            assertThat(e.getMessage()).contains(PcmErrors.name(code));
        });
    }

    @Test
    @Order(1)
    void theLibraryLoadsFromTheJarLayout() {
        assertThat(Pcm.unavailabilityCause()).isNull();
        assertThat(NativeLibrary.platformDirectory()).isEqualTo("native/linux-x86_64");
        assertThat(PcmJniTest.class.getClassLoader().getResource("native/linux-x86_64/libroampcm_jni.so")).isNotNull();
        assertThat(Pcm.errorString(PCM_ERR_KEY)).startsWith("PCM_ERR_KEY:");
    }

    @Test
    @Order(2)
    void everyCallBeforeInitThrowsNotInitialized() {
        expect(PCM_ERR_NOT_INITIALIZED, Pcm::world);
        expect(PCM_ERR_NOT_INITIALIZED, Pcm::processStatus);
        expect(PCM_ERR_NOT_INITIALIZED, Pcm::moves);
        expect(PCM_ERR_NOT_INITIALIZED, Pcm::status);
        expect(PCM_ERR_NOT_INITIALIZED, Pcm::reconfigure);
        expect(PCM_ERR_NOT_INITIALIZED, Pcm::migrationInfo);
        expect(PCM_ERR_NOT_INITIALIZED, PcmResize::begin);
        expect(PCM_ERR_NOT_INITIALIZED, PcmResize::info);
        expect(PCM_ERR_NOT_INITIALIZED, PcmResize::end);
        expect(PCM_ERR_NOT_INITIALIZED, Pcm::finalizeAll);
        expect(PCM_ERR_NOT_INITIALIZED, () -> Pcm.store("grid", new double[4]));
        expect(PCM_ERR_NOT_INITIALIZED, () -> Pcm.store("buf", ByteBuffer.allocateDirect(4)));
        expect(PCM_ERR_NOT_INITIALIZED, () -> Pcm.load("grid", new double[4]));
        expect(PCM_ERR_NOT_INITIALIZED, () -> Pcm.loadCount("grid"));
        expect(PCM_ERR_NOT_INITIALIZED, () -> Pcm.unstore("grid"));
        assertThat(Pcm.threadLevel()).isEqualTo(-1);
    }

    @Test
    @Order(3)
    void initGivesTheWorldOnceWithThreadMultiple() {
        world = Pcm.init(new String[] {"--some-arg"});
        assertThat(world.rank()).isZero();
        assertThat(world.size()).isEqualTo(1);
        assertThat(Pcm.world()).isSameAs(world);
        assertThat(Pcm.threadLevel()).isEqualTo(Pcm.THREAD_MULTIPLE);
        assertThat(Pcm.processStatus()).isEqualTo(ProcessStatus.STARTED_FRESH);
        assertThat(Pcm.moves()).isZero();
        expect(PCM_ERR_INITIALIZED, () -> Pcm.init(null));
    }

    @Test
    @Order(4)
    void storeAcceptsEveryKindAndRefusesWrongCalls() {
        Pcm.store("d", new double[10]);
        Pcm.store("i", new int[10]);
        Pcm.store("l", new long[10]);
        Pcm.store("b", new byte[10]);
        Pcm.store("e", new double[0]);
        Pcm.store("buf", ByteBuffer.allocateDirect(64).position(8));
        Pcm.store("d", new double[20]);   // re-register
        Pcm.store("k".repeat(63), new int[1]);
        expect(PCM_ERR_KEY_LENGTH, () -> Pcm.store("k".repeat(64), new int[1]));
        expect(PCM_ERR_KEY_LENGTH, () -> Pcm.store("", new int[1]));
        expect(PCM_ERR_ARG, () -> Pcm.store(null, new int[1]));
        expect(PCM_ERR_ARG, () -> Pcm.store("x", (double[]) null));
        expect(PCM_ERR_ARG, () -> Pcm.store("x", ByteBuffer.allocate(8)));
        expect(PCM_ERR_ARG, () -> Pcm.store("x", (ByteBuffer) null));
        for (String k : List.of("d", "i", "l", "b", "e", "buf", "k".repeat(63))) {
            Pcm.unstore(k);
        }
        expect(PCM_ERR_KEY, () -> Pcm.unstore("d"));
    }

    @Test
    @Order(5)
    void loadInAFreshProcessHasNoState() {
        expect(PCM_ERR_NO_STATE, () -> Pcm.load("d", new double[10]));
        expect(PCM_ERR_NO_STATE, () -> Pcm.load("d", ByteBuffer.allocateDirect(8)));
        expect(PCM_ERR_NO_STATE, () -> Pcm.loadCount("d"));
        expect(PCM_ERR_NO_STATE, () -> Pcm.loadDoubles("d"));
        expect(PCM_ERR_ARG, () -> Pcm.load("d", ByteBuffer.allocate(8)));
        expect(PCM_ERR_ARG, () -> Pcm.load("d", ByteBuffer.allocateDirect(8).asReadOnlyBuffer()));
    }

    @Test
    @Order(6)
    void statusWithoutAnAgentContinuesAndReconfigureNeedsADecision() {
        for (int i = 0; i < 20; i++) {
            assertThat(Pcm.status()).isEqualTo(PcmStatus.CONTINUE);
        }
        expect(PCM_ERR_NO_MIGRATION, Pcm::reconfigure);
        expect(PCM_ERR_NO_MIGRATION, Pcm::migrationInfo);
        // no resize decided: every resize call is refused, the world stays
        expect(PcmErrors.PCM_ERR_NO_RESIZE, PcmResize::begin);
        expect(PcmErrors.PCM_ERR_NO_RESIZE, PcmResize::info);
        expect(PcmErrors.PCM_ERR_NO_RESIZE, PcmResize::end);
        assertThat(Pcm.world()).isSameAs(world);
        assertThat(world.size()).isEqualTo(1);
        // the rows' redistribution on a world of one: 1 -> 1 copies the block, from and to offsets
        double[] rows = {9, 1, 2, 3, 4, 5, 6};
        double[] moved = new double[8];
        PcmResize.Info one = new PcmResize.Info(1, 1);
        PcmResize.redistributeRows(world, one, 3, 2, rows, 1, moved, 2);
        assertThat(moved).containsExactly(0, 0, 1, 2, 3, 4, 5, 6);
        // a block that does not fit its array, no array, a size beyond the world: PCM_ERR_ARG, nothing written
        expect(PcmErrors.PCM_ERR_ARG, () -> PcmResize.redistributeRows(world, one, 3, 2, rows, 2, moved, 0));
        expect(PcmErrors.PCM_ERR_ARG, () -> PcmResize.redistributeRows(world, one, 3, 2, rows, 1, null, 0));
        expect(PcmErrors.PCM_ERR_ARG, () -> PcmResize.redistributeRows(world, new PcmResize.Info(1, 2), 3, 2, rows,
                1, moved, 0));
        expect(PcmErrors.PCM_ERR_ARG, () -> PcmResize.redistributeRows(world, one, 3, 0, rows, 1, moved, 0));
        assertThat(moved).containsExactly(0, 0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    @Order(7)
    void communicatorOperations() {
        double[] a = {0, 1, 2, 3, 4, 5};
        double[] b = new double[6];
        PcmComm.Status st = world.sendrecv(a, 1, 3, 0, 7, b, 2, 4, 0, 7);
        assertThat(st).isEqualTo(new PcmComm.Status(0, 7, 3));
        assertThat(b).containsExactly(0, 0, 1, 2, 3, 0);
        st = world.sendrecv(a, 0, 2, PcmComm.PROC_NULL, 1, b, 0, 2, PcmComm.PROC_NULL, 1);
        assertThat(st.source()).isEqualTo(PcmComm.PROC_NULL);
        assertThat(st.count()).isZero();
        ByteBuffer out = ByteBuffer.allocateDirect(16).putLong(0, 77).putLong(8, 88);
        ByteBuffer in = ByteBuffer.allocateDirect(32).position(8);
        st = world.sendrecv(out, 0, 3, in, PcmComm.ANY_SOURCE, PcmComm.ANY_TAG);
        assertThat(st).isEqualTo(new PcmComm.Status(0, 3, 16));
        assertThat(in.getLong(8)).isEqualTo(77);
        assertThat(in.getLong(16)).isEqualTo(88);
        assertThat(in.position()).isEqualTo(8);
        assertThat(world.allreduce(2.5, PcmComm.Op.SUM)).isEqualTo(2.5);
        long[] l = {3, -4};
        world.allreduce(l, PcmComm.Op.MIN);
        assertThat(l).containsExactly(3, -4);
        assertThat(world.gather(a, 2, 3, 0)).containsExactly(2, 3, 4);
        world.barrier();
        expect(PCM_ERR_ARG, () -> world.send(a, 4, 3, 0, 1));
        expect(PCM_ERR_ARG, () -> world.recv(a, -1, 1, 0, 1));
        expect(PCM_ERR_ARG, () -> world.send(ByteBuffer.allocate(4), 0, 1));
        expect(PCM_ERR_ARG, () -> world.recv(ByteBuffer.allocateDirect(4).asReadOnlyBuffer(), 0, 1));
        expect(PCM_ERR_ARG, () -> world.gather(a, 0, 1, 1));
        assertThatThrownBy(() -> world.send(a, 0, 1, 5, 1)).isInstanceOfSatisfying(PcmException.class, e -> {
            assertThat(e.code()).isEqualTo(PCM_ERR_MPI);
            assertThat(e.mpiErrorCode()).isPositive();
            assertThat(e.getMessage()).contains("MPI_Send", "PCM_ERR_MPI", "MPI error");
        });
    }

    @Test
    @Order(8)
    void manyThreadsAtOnceNeitherCrashNorMixUpData() throws InterruptedException {
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                double[] out = new double[256];
                double[] in = new double[256];
                for (int r = 0; r < 2000; r++) {
                    for (int j = 0; j < out.length; j++) {
                        out[j] = id * 1e6 + r + j / 512.0;
                    }
                    world.sendrecv(out, 0, out.length, 0, id, in, 0, in.length, 0, id);
                    assertThat(in).containsExactly(out);
                    if (r % 100 == 0) {
                        ByteBuffer b = ByteBuffer.allocateDirect(8).putLong(0, r);
                        ByteBuffer c = ByteBuffer.allocateDirect(8);
                        world.sendrecv(b, 0, 1000 + id, c, 0, 1000 + id);
                        assertThat(c.getLong(0)).isEqualTo(r);
                    }
                }
            }));
        }
        threads.add(new Thread(() -> {
            for (int r = 0; r < 2000; r++) {
                String key = "t-" + r;
                Pcm.store(key, new long[r % 17]);
                expect(PCM_ERR_NO_STATE, () -> Pcm.loadCount(key));
                expect(PCM_ERR_ARG, () -> Pcm.store(key, ByteBuffer.allocate(1)));
                Pcm.unstore(key);
            }
        }));
        threads.add(new Thread(() -> {
            // the collectives on the world, PCM_Status included, from one thread (MPI's rule)
            for (int r = 0; r < 2000; r++) {
                assertThat(world.allreduce((long) r, PcmComm.Op.MAX)).isEqualTo(r);
                if (r % 10 == 0) {
                    assertThat(Pcm.status()).isEqualTo(PcmStatus.CONTINUE);
                }
            }
        }));
        for (Thread t : threads) {
            t.setUncaughtExceptionHandler((th, e) -> errors.add(e));
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    @Order(9)
    void finalizeEndsEverything() {
        Pcm.finalizeAll();
        expect(PCM_ERR_NOT_INITIALIZED, world::barrier);
        expect(PCM_ERR_NOT_INITIALIZED, () -> world.send(new double[1], 0, 1));
        expect(PCM_ERR_NOT_INITIALIZED, Pcm::status);
        expect(PCM_ERR_NOT_INITIALIZED, Pcm::processStatus);
        expect(PCM_ERR_NOT_INITIALIZED, Pcm::finalizeAll);
        expect(PCM_ERR_MPI, () -> Pcm.init(new String[0]));
    }
}
