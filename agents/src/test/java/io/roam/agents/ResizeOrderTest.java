package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.roam.pcm.wire.PcmMessage;
import io.roam.protocol.ResizeEvent;
import io.roam.protocol.ResizeEvent.Phase;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One resize on the agent of the job's rank 0 ({@link ResizeOrder}), against probes for the
 * requester, the owner and the PCM daemon, with manual time: the order it sends, DONE with
 * libpcm's phase times, and every way it fails.
 */
class ResizeOrderTest {
    private static final ActorTestKit kit = ActorTestKit.create("resize-order",
            ManualTime.config().withFallback(ConfigFactory.load()));
    private static final ManualTime time = ManualTime.get(kit.system());
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static long ids = 500;

    private TestProbe<ResizeEvent> requester;
    private TestProbe<ResizeOrder.Reported> owner;
    private TestProbe<PcmDaemon.Command> daemon;
    private ResizeOrder.Order order;

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void probes() {
        requester = kit.createTestProbe();
        owner = kit.createTestProbe();
        daemon = kit.createTestProbe();
        order = new ResizeOrder.Order(++ids, "job-r", 2, 4, List.of("h2", "h3"), requester.getRef());
    }

    /** The next event: told to the requester and to the owner alike. */
    private ResizeEvent expect(Phase phase, String detailContains) {
        ResizeEvent e = requester.expectMessageClass(ResizeEvent.class);
        assertThat(e.phase()).isEqualTo(phase);
        assertThat(e.detail()).contains(detailContains);
        assertThat(e.orderId()).isEqualTo(order.orderId());
        assertThat(e.jobId()).isEqualTo("job-r");
        assertThat(e.oldSize()).isEqualTo(2);
        assertThat(e.newSize()).isEqualTo(4);
        ResizeOrder.Reported r = owner.expectMessageClass(ResizeOrder.Reported.class);
        assertThat(r.event()).isEqualTo(e);
        assertThat(r.order()).isEqualTo(order);
        return e;
    }

    @Test
    void doneCarriesLibpcmsPhaseTimes() {
        TestProbe<ResizeOrder.Command> unused = kit.createTestProbe();
        ActorRef<ResizeOrder.Command> actor = kit.spawn(ResizeOrder.create(order, "h1", TIMEOUT, daemon.getRef(),
                owner.getRef()));
        expect(Phase.ACCEPTED, "job job-r: 2 -> 4 processes, the new ones on h2,h3 (rank 0 on h1)");
        PcmDaemon.Resize r = daemon.expectMessageClass(PcmDaemon.Resize.class);
        assertThat(r.jobId()).isEqualTo("job-r");
        assertThat(r.orderId()).isEqualTo(order.orderId());
        assertThat(r.ranks()).isEqualTo(4);
        assertThat(r.hosts()).isEqualTo("h2,h3");
        r.replyTo().tell(new PcmDaemon.OrderResult(order.orderId(), true, "order sent to rank 0, pid 42"));
        expect(Phase.ORDERED, "order sent to rank 0, pid 42; the job resizes at its next PCM_Status");
        actor.tell(new ResizeOrder.Stalled("rank 3 waits in MPI_Intercomm_merge"));
        expect(Phase.STALLED, "MPI_Intercomm_merge");
        actor.tell(new ResizeOrder.Done(new PcmMessage.ResizeDone(order.orderId(), "job-r", 2, 4, 1_000,
                310_000_000L, 21_000_000L, 5_000_000L, 340_000_000L)));
        ResizeEvent done = expect(Phase.DONE, "job job-r runs with 4 processes (was 2): spawn 310.0 ms, world 21.0 ms,"
                + " redistribution 5.0 ms, total 340.0 ms");
        assertThat(done.times()).isEqualTo(new ResizeEvent.ResizeTimes(1_000, 310_000_000L, 21_000_000L,
                5_000_000L, 340_000_000L));
        unused.expectTerminated(actor);
        time.timePasses(TIMEOUT.plusSeconds(1));
        requester.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void anOrderThatCannotBeSentFails() {
        kit.spawn(ResizeOrder.create(order, "h1", TIMEOUT, daemon.getRef(), owner.getRef()));
        expect(Phase.ACCEPTED, "2 -> 4");
        daemon.expectMessageClass(PcmDaemon.Resize.class).replyTo()
                .tell(new PcmDaemon.OrderResult(order.orderId(), false, "no process of job job-r rank 0 is registered here"));
        expect(Phase.FAILED, "rank 0 is registered here; nothing changed");
    }

    @Test
    void libpcmsRefusalIsTheFailure() {
        ActorRef<ResizeOrder.Command> actor = kit.spawn(ResizeOrder.create(order, "h1", TIMEOUT, daemon.getRef(),
                owner.getRef()));
        expect(Phase.ACCEPTED, "2 -> 4");
        daemon.expectMessageClass(PcmDaemon.Resize.class);
        actor.tell(new ResizeOrder.ProcessFailed("resize to 4 processes failed (PCM_ERR_SPAWN): spawn failed;"
                + " nothing changed, the job runs on with 2 processes"));
        expect(Phase.FAILED, "the job runs on with 2 processes");
    }

    @Test
    void theJobEndingFirstFails() {
        ActorRef<ResizeOrder.Command> actor = kit.spawn(ResizeOrder.create(order, "h1", TIMEOUT, daemon.getRef(),
                owner.getRef()));
        expect(Phase.ACCEPTED, "2 -> 4");
        daemon.expectMessageClass(PcmDaemon.Resize.class);
        actor.tell(new ResizeOrder.Finalized());
        expect(Phase.FAILED, "finalized (it ended) before the order's round");
    }

    @Test
    void anAbortFails() {
        ActorRef<ResizeOrder.Command> actor = kit.spawn(ResizeOrder.create(order, "h1", TIMEOUT, daemon.getRef(),
                owner.getRef()));
        expect(Phase.ACCEPTED, "2 -> 4");
        daemon.expectMessageClass(PcmDaemon.Resize.class);
        actor.tell(new ResizeOrder.Abort("rank 0 of job job-r (pid 42) is gone from h1: the job has ended"));
        expect(Phase.FAILED, "is gone from h1");
    }

    @Test
    void noAnswerWithinTheTimeoutFails() {
        kit.spawn(ResizeOrder.create(order, "h1", TIMEOUT, daemon.getRef(), owner.getRef()));
        expect(Phase.ACCEPTED, "2 -> 4");
        daemon.expectMessageClass(PcmDaemon.Resize.class).replyTo()
                .tell(new PcmDaemon.OrderResult(order.orderId(), true, "sent"));
        expect(Phase.ORDERED, "sent");
        time.timePasses(TIMEOUT.minusSeconds(1));
        requester.expectNoMessage(Duration.ofMillis(100));
        time.timePasses(Duration.ofSeconds(2));
        expect(Phase.FAILED, "no RESIZE_DONE within PT2M (roam.agent.resize.timeout)");
    }

    @Test
    void aShrinkNamesNoHosts() {
        order = new ResizeOrder.Order(++ids, "job-r", 4, 2, List.of(), requester.getRef());
        kit.spawn(ResizeOrder.create(order, "h1", TIMEOUT, daemon.getRef(), owner.getRef()));
        ResizeEvent e = requester.expectMessageClass(ResizeEvent.class);
        assertThat(e.detail()).isEqualTo("job job-r: 4 -> 2 processes (rank 0 on h1)");
        assertThat(daemon.expectMessageClass(PcmDaemon.Resize.class).hosts()).isEmpty();
    }
}
