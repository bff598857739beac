package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.roam.decision.Strategies;
import io.roam.decision.Strategy;
import io.roam.profiling.NodeProfile;
import io.roam.protocol.AgentMessage;
import io.roam.stealing.StealMessage;
import io.roam.stealing.StealSettings;
import io.roam.topologies.NodeInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's Stealer actor under {@code roam.stealing.protocol = informed}: its views carry
 * the gossip (the estimate of the average load), and a thief asks the overloaded agent a
 * neighbour's view named, although that agent is not its neighbour (it reaches it through
 * the cluster's agents, as any steal message).
 */
class InformedStealerTest {
    private static final ActorTestKit kit = ActorTestKit.create("informed-stealer",
            ManualTime.config().withFallback(ConfigFactory.load()));
    private static final ManualTime time = ManualTime.get(kit.system());
    private static final StealSettings SETTINGS = StealSettings.from(ConfigFactory.parseString(
            "roam.stealing { period = 1s, protocol = informed }").withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static NodeProfile node(String host, double available) {
        return new NodeProfile(host, 0, 1, 1.0, 1e9, 1 - available, available * 1e9, 8L << 30, 4L << 30, 0);
    }

    private static NodeInfo info(String address) {
        return new NodeInfo(address, "default", address, 1);
    }

    private static StealMessage steal(TestProbe<AgentMessage> agent) {
        return ((AgentMessage.Steal) agent.expectMessageClass(AgentMessage.Steal.class)).message();
    }

    @Test
    void anIdleAgentStealsFromTheOverloadedAgentItsNeighbourNamed() {
        TestProbe<AgentMessage> self = kit.createTestProbe();
        TestProbe<AgentMessage> neighbour = kit.createTestProbe();
        TestProbe<AgentMessage> overloaded = kit.createTestProbe();
        Strategy strategy = Strategies.create("ios", io.roam.decision.DecisionSettings.defaults());
        ActorRef<Stealer.Command> thief = kit.spawn(Stealer.create(SETTINGS, strategy, "t", self.getRef()));
        Map<String, ActorRef<AgentMessage>> agents = Map.of("n", neighbour.getRef(), "o", overloaded.getRef());
        thief.tell(new Stealer.Snapshot(info("t"), node("t", 1.0), List.of(), List.of(info("n")), List.of(), agents,
                Map.of(), Map.of(), Map.of()));
        // the neighbour passes on a hint: "o" is overloaded (4 processes on 1e9 updates/s), heard first hand
        thief.tell(new Stealer.Incoming(new StealMessage.NeighbourView("n", node("n", 0.0), List.of(), List.of(), 0.2,
                List.of(new StealMessage.Hint(info("o"), 0.4, 0)))));
        time.timePasses(Duration.ofSeconds(1));
        StealMessage view = steal(neighbour);
        assertThat(view).isInstanceOf(StealMessage.NeighbourView.class);
        assertThat(((StealMessage.NeighbourView) view).averageLoad()).isGreaterThanOrEqualTo(0);
        StealMessage.StealRequest r = (StealMessage.StealRequest) steal(overloaded);
        assertThat(r.thief()).isEqualTo("t");
        neighbour.expectNoMessage(Duration.ofMillis(50));
    }
}
