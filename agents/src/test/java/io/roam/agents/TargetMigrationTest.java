package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.roam.decision.DecisionSettings;
import io.roam.decision.MoveEffect;
import io.roam.decision.Summary;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.ExpectArrival;
import io.roam.protocol.AgentMessage.MoveMeasured;
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
import org.junit.jupiter.api.Test;

/** The target side of one migration ({@link TargetMigration}) on its own, with manual time. */
class TargetMigrationTest {
    private static final ActorTestKit kit = ActorTestKit.create("target-migration",
            ManualTime.config().withFallback(ConfigFactory.load()));
    private static final ManualTime time = ManualTime.get(kit.system());
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static final Duration MEASURE = Duration.ofSeconds(90);
    private static final long MS = 1_000_000;

    private final TestProbe<MigrationEvent> source = kit.createTestProbe();
    private final TestProbe<AgentMessage> sourceAgent = kit.createTestProbe();
    private final TestProbe<AgentMessage> ownAgent = kit.createTestProbe();
    /** Before the move the job ran at 24 ms per iteration (the rank's node was throttled). */
    private final ActorRef<TargetMigration.Command> arrival = kit.spawn(TargetMigration.create(
            new ExpectArrival(77, "job-b", 2, source.getRef(), Summary.of(24e6, 23e6, 25e6, 24e6, 26e6, 22e6, 24e6, 24e6),
                    sourceAgent.getRef()),
            new TargetMigration.Setup("h2", "pekko://roam@h2:2552", TIMEOUT, MEASURE, DecisionSettings.defaults(),
                    ownAgent.getRef())));

    /** Both agents hear the same measurement; returns it. */
    private MoveMeasured measured() {
        MoveMeasured m = (MoveMeasured) sourceAgent.receiveMessage();
        assertThat(ownAgent.receiveMessage()).isEqualTo(m);
        assertThat(List.of(m.orderId(), m.jobId(), m.rank(), m.targetAddress(), m.targetHost()))
                .containsExactly(77L, "job-b", 2, "pekko://roam@h2:2552", "h2");
        return m;
    }

    @Test
    void theReplacementArrivesAndTheSourceHearsDoneWithTheTimes() {
        MigrationTimes t = new MigrationTimes(1 << 20, 10, 20, 30, 40, 50, 60);
        arrival.tell(new TargetMigration.Arrived(4321, t));
        MigrationEvent e = source.receiveMessage();
        assertThat(e.phase()).isEqualTo(Phase.DONE);
        assertThat(e.detail()).isEqualTo("running on h2 as pid 4321");
        assertThat(e.times()).isEqualTo(t);
        assertThat(e.orderId()).isEqualTo(77);
        assertThat(e.jobId()).isEqualTo("job-b");
        assertThat(e.rank()).isEqualTo(2);
        sourceAgent.expectNoMessage(Duration.ofMillis(50));   // measuring now: it lives on
    }

    @Test
    void afterTheArrivalItTimesAWindowOfHeartbeatsAndJudgesTheMove() {
        arrival.tell(new TargetMigration.Heartbeat(4321, 30 * MS));   // the old process, before it left
        arrival.tell(new TargetMigration.Arrived(4321, null));
        assertThat(source.receiveMessage().phase()).isEqualTo(Phase.DONE);
        arrival.tell(new TargetMigration.Heartbeat(4321, 900 * MS));  // skipped: the move's pause
        arrival.tell(new TargetMigration.Heartbeat(4321, 12 * MS));   // skipped: start-up
        arrival.tell(new TargetMigration.Heartbeat(99, 1 * MS));      // another process of the rank: not it
        arrival.tell(new TargetMigration.Heartbeat(4321, 0));         // unknown: not counted
        for (int i = 0; i < 7; i++) {
            arrival.tell(new TargetMigration.Heartbeat(4321, (6 + i % 2) * MS));
        }
        sourceAgent.expectNoMessage(Duration.ofMillis(50));           // 7 of a window of 8
        arrival.tell(new TargetMigration.Heartbeat(4321, 6 * MS));
        MoveEffect effect = measured().effect();
        assertThat(effect.verdict()).isEqualTo(MoveEffect.Verdict.GAIN);
        assertThat(effect.afterNs().samples()).isEqualTo(8);
        assertThat(effect.afterNs().median()).isEqualTo(6e6);
        assertThat(effect.describe()).isEqualTo("24.0 → 6.00 ms per iteration (0.25 x), gain");
        source.expectTerminated(arrival, Duration.ofSeconds(5));
    }

    @Test
    void aJobThatEndsBeforeTheWindowFillsIsJudgedOnWhatItHas() {
        arrival.tell(new TargetMigration.Arrived(4321, null));
        source.receiveMessage();
        for (int i = 0; i < 2 + 5; i++) {
            arrival.tell(new TargetMigration.Heartbeat(4321, 25 * MS));
        }
        arrival.tell(new TargetMigration.Gone(4322));   // not the replacement
        sourceAgent.expectNoMessage(Duration.ofMillis(50));
        arrival.tell(new TargetMigration.Gone(4321));
        assertThat(measured().effect().verdict()).as("5 samples of 25 ms after 24: no gain")
                .isEqualTo(MoveEffect.Verdict.NO_GAIN);
        source.expectTerminated(arrival, Duration.ofSeconds(5));
    }

    @Test
    void heartbeatsThatStopLeaveTheMoveUnmeasuredAtTheMeasuringTimeout() {
        arrival.tell(new TargetMigration.Arrived(4321, null));
        source.receiveMessage();
        for (int i = 0; i < 2 + 3; i++) {
            arrival.tell(new TargetMigration.Heartbeat(4321, 6 * MS));
        }
        time.timePasses(TIMEOUT.plusSeconds(1));   // the arrival timeout no longer applies
        sourceAgent.expectNoMessage(Duration.ofMillis(50));
        time.timePasses(MEASURE.minus(TIMEOUT));
        MoveEffect effect = measured().effect();
        assertThat(effect.verdict()).isEqualTo(MoveEffect.Verdict.UNMEASURED);
        assertThat(effect.describe()).isEqualTo("not measured (8 iteration times before, 3 after)");
    }

    @Test
    void aStallIsRelayedAndTheArrivalIsStillExpected() {
        arrival.tell(new TargetMigration.Stalled("on h2, pid 55: in ompi_comm_nextcid for 60000 ms"));
        MigrationEvent stalled = source.receiveMessage();
        assertThat(stalled.phase()).isEqualTo(Phase.STALLED);
        assertThat(stalled.detail()).contains("ompi_comm_nextcid");
        arrival.tell(new TargetMigration.Arrived(56, null));
        assertThat(source.receiveMessage().phase()).isEqualTo(Phase.DONE);
    }

    @Test
    void afterTheTimeoutItStopsWithoutTellingTheSource() {
        time.timePasses(TIMEOUT.minusSeconds(1));
        arrival.tell(new TargetMigration.Stalled("still expected"));
        assertThat(source.receiveMessage().phase()).isEqualTo(Phase.STALLED);
        time.timePasses(Duration.ofSeconds(2));
        source.expectTerminated(arrival, Duration.ofSeconds(5));
        arrival.tell(new TargetMigration.Arrived(57, null));
        source.expectNoMessage(Duration.ofMillis(100));
        sourceAgent.expectNoMessage(Duration.ofMillis(10));
    }
}
