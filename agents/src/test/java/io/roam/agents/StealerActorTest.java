package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.roam.decision.Choice;
import io.roam.decision.Decision;
import io.roam.decision.Strategy;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.MigrateRank;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.Phase;
import io.roam.stealing.StealMessage;
import io.roam.stealing.StealSettings;
import io.roam.topologies.NodeInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The stealer actor on its own: it carries {@code StealingNode}'s messages to the other
 * agents (test probes), wrapped for the wire, orders an accepted steal through its agent
 * (a probe) and tells the thief how it ended. The strategy is a fake that gives away the
 * first candidate, so what is tested is the actor's plumbing, not the decision.
 */
class StealerActorTest {
    private static final ActorTestKit kit = ActorTestKit.create("stealer-actor",
            ManualTime.config().withFallback(ConfigFactory.load()));
    private static final ManualTime time = ManualTime.get(kit.system());
    private static final StealSettings SETTINGS = StealSettings.from(ConfigFactory.parseString(
            "roam.stealing { period = 1s, protocol = rs }").withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    /** Gives away the first candidate, whatever the situation. */
    private static final Strategy FIRST = new Strategy() {
        @Override
        public String name() {
            return "first";
        }

        @Override
        public String description() {
            return "the first candidate";
        }

        @Override
        public io.roam.decision.DecisionSettings settings() {
            return io.roam.decision.DecisionSettings.defaults();
        }

        @Override
        public Decision decide(io.roam.decision.Situation s) {
            return new Decision(s.candidates().stream().findFirst().map(p -> new Choice(p, 1.0, "test")), List.of());
        }
    };

    private static NodeProfile node(String host, double available) {
        return new NodeProfile(host, 0, 1, 1.0, 1e9, 1 - available, available * 1e9, 8L << 30, 4L << 30, 0);
    }

    private static ProcessProfile process(String job, int rank) {
        return new ProcessProfile(job, rank, 1000 + rank, 0, 0, 1000, 64L << 20, 1L << 20, 100, 10_000_000,
                1_000_000_000, 100_000_000, 0.9, 0.95, List.of());
    }

    private static NodeInfo info(String address) {
        return new NodeInfo(address, "default", address, 1);
    }

    private static Stealer.Snapshot snapshot(String self, double available, List<ProcessProfile> own,
                                             Map<String, ActorRef<AgentMessage>> agents) {
        return new Stealer.Snapshot(info(self), node(self, available), own,
                agents.keySet().stream().sorted().map(StealerActorTest::info).toList(), List.of(), agents, Map.of(),
                Map.of(), Map.of());
    }

    /** The next steal message an agent probe receives, unwrapped. */
    private static StealMessage steal(TestProbe<AgentMessage> agent) {
        AgentMessage m = agent.expectMessageClass(AgentMessage.Steal.class);
        return ((AgentMessage.Steal) m).message();
    }

    @Test
    void anIdleNodeSendsItsViewAndAStealRequestEachPeriod() {
        TestProbe<AgentMessage> self = kit.createTestProbe();
        TestProbe<AgentMessage> victim = kit.createTestProbe();
        ActorRef<Stealer.Command> thief = kit.spawn(Stealer.create(SETTINGS, FIRST, "t", self.getRef()));
        thief.tell(snapshot("t", 1.0, List.of(), Map.of("v", victim.getRef())));
        time.timePasses(Duration.ofSeconds(1));
        assertThat(steal(victim)).isInstanceOf(StealMessage.NeighbourView.class);
        StealMessage.StealRequest r = (StealMessage.StealRequest) steal(victim);
        assertThat(r.thief()).isEqualTo("t");
        self.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void aVictimOffersOrdersThroughItsAgentAndTellsTheThiefTheOutcome() {
        TestProbe<AgentMessage> self = kit.createTestProbe();
        TestProbe<AgentMessage> thief = kit.createTestProbe();
        ActorRef<Stealer.Command> victim = kit.spawn(Stealer.create(SETTINGS, FIRST, "v", self.getRef()));
        victim.tell(snapshot("v", 0.0, List.of(process("job-s", 3)), Map.of("t", thief.getRef())));

        victim.tell(new Stealer.Incoming(new StealMessage.StealRequest(41, "t", node("t", 1.0), List.of(), 0,
                List.of())));
        StealMessage.StealOffer offer = (StealMessage.StealOffer) steal(thief);
        assertThat(List.of(offer.stealId(), offer.jobId(), offer.rank())).containsExactly(41L, "job-s", 3);

        victim.tell(new Stealer.Incoming(new StealMessage.StealAnswer(41, "t", true, "yes")));
        MigrateRank order = (MigrateRank) self.receiveMessage();
        assertThat(List.of(order.jobId(), order.rank(), order.targetAddress())).containsExactly("job-s", 3, "t");

        order.replyTo().tell(new MigrationEvent(9, "job-s", 3, Phase.DONE, 0, "running on t as pid 7", null));
        StealMessage.StealOutcome outcome = (StealMessage.StealOutcome) steal(thief);
        assertThat(outcome.migrated()).isTrue();
        assertThat(List.of(outcome.stealId(), outcome.jobId(), outcome.rank())).containsExactly(41L, "job-s", 3);
    }

    @Test
    void aVictimWithNothingToGiveRefusesAndOrdersNothing() {
        TestProbe<AgentMessage> self = kit.createTestProbe();
        TestProbe<AgentMessage> thief = kit.createTestProbe();
        ActorRef<Stealer.Command> victim = kit.spawn(Stealer.create(SETTINGS, FIRST, "v", self.getRef()));
        victim.tell(snapshot("v", 0.0, List.of(), Map.of("t", thief.getRef())));
        victim.tell(new Stealer.Incoming(new StealMessage.StealRequest(42, "t", node("t", 1.0), List.of(), 0,
                List.of())));
        StealMessage.StealRefused refused = (StealMessage.StealRefused) steal(thief);
        assertThat(refused.reason()).contains("no processes");
        self.expectNoMessage(Duration.ofMillis(50));
        assertThat(Optional.of(refused.stealId())).contains(42L);
    }
}
