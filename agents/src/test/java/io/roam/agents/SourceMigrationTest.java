package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.roam.protocol.AgentMessage;
import io.roam.decision.Summary;
import io.roam.protocol.AgentMessage.ExpectArrival;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.MigrationTimes;
import io.roam.protocol.MigrationEvent.Phase;
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
 * The source side of one migration ({@link SourceMigration}) on its own, against probes for
 * the requester, the agent that owns it, the PCM daemon and the target agent, with manual
 * time: every phase, both timeouts, every way it fails.
 */
class SourceMigrationTest {
    private static final ActorTestKit kit = ActorTestKit.create("source-migration",
            ManualTime.config().withFallback(ConfigFactory.load()));
    private static final ManualTime time = ManualTime.get(kit.system());
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static long ids = 100;

    private TestProbe<MigrationEvent> requester;
    private TestProbe<SourceMigration.Reported> owner;
    private TestProbe<PcmDaemon.Command> daemon;
    private TestProbe<AgentMessage> target;
    /** The source agent as the target sees it (where the move's measured effect goes). */
    private TestProbe<AgentMessage> sourceAgent;
    private static final Summary BEFORE = Summary.of(5.3e6, 5.4e6, 5.5e6, 5.2e6, 5.4e6);
    private MigrationTable.Pending pending;

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void probes() {
        requester = kit.createTestProbe();
        owner = kit.createTestProbe();
        daemon = kit.createTestProbe();
        target = kit.createTestProbe();
        sourceAgent = kit.createTestProbe();
        pending = new MigrationTable.Pending(++ids, "job-a", 1, "h2", requester.getRef());
    }

    private ActorRef<SourceMigration.Command> start(String queuedBehind) {
        ActorRef<SourceMigration.Command> m = kit.spawn(SourceMigration.create(pending, "h1", queuedBehind,
                new SourceMigration.Timing(TIMEOUT, GRACE), daemon.getRef(), owner.getRef()));
        expect(Phase.ACCEPTED, "from h1 to h2");
        if (queuedBehind != null) {
            expect(Phase.QUEUED, queuedBehind);
        }
        return m;
    }

    /** The next event: told to the requester and to the owner alike. */
    private MigrationEvent expect(Phase phase, String detailContains) {
        MigrationEvent e = requester.expectMessageClass(MigrationEvent.class);
        assertThat(e.phase()).isEqualTo(phase);
        assertThat(e.detail()).contains(detailContains);
        assertThat(e.orderId()).isEqualTo(pending.orderId());
        assertThat(e.jobId()).isEqualTo("job-a");
        assertThat(e.rank()).isEqualTo(1);
        SourceMigration.Reported r = owner.expectMessageClass(SourceMigration.Reported.class);
        assertThat(r.event()).isEqualTo(e);
        assertThat(r.migration()).isEqualTo(pending);
        return e;
    }

    /** Go, then what the target and the daemon are told; returns the target's reply address. */
    private ActorRef<MigrationEvent> go(ActorRef<SourceMigration.Command> m) {
        m.tell(new SourceMigration.Go(target.getRef(), BEFORE, sourceAgent.getRef()));
        ExpectArrival a = (ExpectArrival) target.receiveMessage();
        assertThat(List.of(a.orderId(), a.jobId(), a.rank())).containsExactly(pending.orderId(), "job-a", 1);
        assertThat(a.beforeNs()).as("the iteration times before the move travel to the target").isEqualTo(BEFORE);
        assertThat(a.sourceAgent()).isEqualTo(sourceAgent.getRef());
        PcmDaemon.Order o = (PcmDaemon.Order) daemon.receiveMessage();
        assertThat(List.of(o.orderId(), o.jobId(), o.rank(), o.targetHost()))
                .containsExactly(pending.orderId(), "job-a", 1, "h2");
        o.replyTo().tell(new PcmDaemon.OrderResult(pending.orderId(), true, "sent to pid 4242"));
        expect(Phase.ORDERED, "sent to pid 4242");
        return a.replyTo();
    }

    private void expectStopped(ActorRef<SourceMigration.Command> m) {
        requester.expectTerminated(m, Duration.ofSeconds(5));
        requester.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void everyPhaseInOrderThenDoneFromTheTarget() {
        ActorRef<SourceMigration.Command> m = start(null);
        ActorRef<MigrationEvent> fromTarget = go(m);
        m.tell(new SourceMigration.Started(17));
        expect(Phase.STARTED, "iteration 17");
        m.tell(new SourceMigration.Progress(4096, 16384));
        assertThat(MigrationEvent.transferred(expect(Phase.TRANSFER, "4096").detail())).containsExactly(4096, 16384);
        m.tell(new SourceMigration.Departed());
        MigrationTimes t = new MigrationTimes(16384, 1, 2, 3, 4, 5, 6);
        fromTarget.tell(new MigrationEvent(pending.orderId(), "job-a", 1, Phase.DONE, 0, "running on h2 as pid 9", t));
        assertThat(expect(Phase.DONE, "running on h2 as pid 9").times()).isEqualTo(t);
        expectStopped(m);
    }

    @Test
    void aQueuedOrderWaitsForItsTurnAndItsTimerStartsOnlyThen() {
        ActorRef<SourceMigration.Command> m = start("job job-a already has 1 migration(s) under way");
        time.timePasses(TIMEOUT.plusSeconds(1));   // queued: no timer runs
        requester.expectNoMessage(Duration.ofMillis(50));
        go(m);
        time.timePasses(TIMEOUT.minusSeconds(1));
        requester.expectNoMessage(Duration.ofMillis(50));
        time.timePasses(Duration.ofSeconds(2));
        expect(Phase.FAILED, "no replacement reported within PT1M");
        expectStopped(m);
    }

    @Test
    void abortedWhileQueued() {
        ActorRef<SourceMigration.Command> m = start("behind order 7");
        m.tell(new SourceMigration.Abort("the agent of h2 is unreachable: the rank stays on h1"));
        expect(Phase.FAILED, "unreachable");
        expectStopped(m);
        target.expectNoMessage(Duration.ofMillis(50));
        daemon.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void theDaemonCouldNotSendTheOrder() {
        ActorRef<SourceMigration.Command> m = start(null);
        m.tell(new SourceMigration.Go(target.getRef(), BEFORE, sourceAgent.getRef()));
        target.receiveMessage();
        PcmDaemon.Order o = (PcmDaemon.Order) daemon.receiveMessage();
        o.replyTo().tell(new PcmDaemon.OrderResult(pending.orderId(), false, "the process is gone"));
        expect(Phase.FAILED, "the process is gone");
        expectStopped(m);
    }

    @Test
    void theProcessReportsFailure() {
        ActorRef<SourceMigration.Command> m = start(null);
        go(m);
        m.tell(new SourceMigration.Started(3));
        expect(Phase.STARTED, "iteration 3");
        m.tell(new SourceMigration.ProcessFailed("PCM_ERR_SPAWN: MPI_Comm_spawn failed"));
        expect(Phase.FAILED, "PCM_ERR_SPAWN");
        expectStopped(m);
    }

    @Test
    void theJobFinalizesBeforeTheOrdersRound() {
        ActorRef<SourceMigration.Command> m = start(null);
        go(m);
        m.tell(new SourceMigration.Finalized());
        expect(Phase.FAILED, "finalized (the job ended) before the order's round: nothing moved");
        expectStopped(m);
    }

    @Test
    void aStallIsReportedAndTheMigrationGoesOnUntilItsJobEnds() {
        ActorRef<SourceMigration.Command> m = start(null);
        ActorRef<MigrationEvent> fromTarget = go(m);
        m.tell(new SourceMigration.Stalled("on h1, pid 12: in MPI_Intercomm_create for 60000 ms"));
        expect(Phase.STALLED, "MPI_Intercomm_create");
        fromTarget.tell(new MigrationEvent(pending.orderId(), "job-a", 1, Phase.STALLED, 0, "on h2, pid 13: x", null));
        expect(Phase.STALLED, "on h2, pid 13");
        m.tell(new SourceMigration.Abort("libpcm ended job job-a because its reconfiguration stalled"));
        expect(Phase.FAILED, "stalled");
        expectStopped(m);
    }

    @Test
    void departedButNeverConfirmedIsDoneAfterTheGraceNotFailedAtTheTimeout() {
        ActorRef<SourceMigration.Command> m = start(null);
        go(m);
        time.timePasses(TIMEOUT.minusSeconds(5));
        m.tell(new SourceMigration.Departed());
        m.tell(new SourceMigration.Stalled("sync"));   // its event proves Departed was handled
        expect(Phase.STALLED, "sync");
        time.timePasses(Duration.ofSeconds(6));        // past the order timeout: cancelled when it left
        requester.expectNoMessage(Duration.ofMillis(50));
        time.timePasses(GRACE);
        expect(Phase.DONE, "did not confirm the arrival");
        expectStopped(m);
    }

    @Test
    void theGraceIsAtMostTheOrderTimeout() {
        assertThat(new SourceMigration.Timing(Duration.ofSeconds(3), Duration.ofSeconds(10)).confirmGrace())
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(new SourceMigration.Timing(TIMEOUT, GRACE).confirmGrace()).isEqualTo(GRACE);
    }

    @Test
    void lateMessagesAfterTheEndAreNotReported() {
        ActorRef<SourceMigration.Command> m = start(null);
        go(m);
        m.tell(new SourceMigration.ProcessFailed("PCM_ERR_TIMEOUT: no agreement"));
        expect(Phase.FAILED, "PCM_ERR_TIMEOUT");
        expectStopped(m);
        m.tell(new SourceMigration.Departed());
        time.timePasses(TIMEOUT.plus(GRACE));
        requester.expectNoMessage(Duration.ofMillis(50));
        owner.expectNoMessage(Duration.ofMillis(50));
    }
}
