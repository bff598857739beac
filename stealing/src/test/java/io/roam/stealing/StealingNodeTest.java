package io.roam.stealing;

import static io.roam.stealing.Fixtures.info;
import static io.roam.stealing.Fixtures.node;
import static io.roam.stealing.Fixtures.process;
import static org.assertj.core.api.Assertions.assertThat;

import io.roam.decision.DecisionSettings;
import io.roam.decision.Strategies;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.stealing.StealMessage.StealAnswer;
import io.roam.stealing.StealMessage.StealOffer;
import io.roam.stealing.StealMessage.StealOutcome;
import io.roam.stealing.StealMessage.StealRequest;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StealingNodeTest {
    private final StealSettings settings = Fixtures.settings("roam.stealing { period = 1s, protocol = rs }");

    private StealingNode stealer(String address) {
        return new StealingNode(address, settings, Strategies.create("ios", DecisionSettings.defaults()),
                new SplittableRandom(1));
    }

    private static StealingNode.Local local(String self, double available, List<ProcessProfile> own,
                                            String... neighbours) {
        return new StealingNode.Local(info(self), node(self, available), own,
                java.util.Arrays.stream(neighbours).map(Fixtures::info).toList(), List.of(), Map.of(), Map.of());
    }

    @Test
    void aTickSendsTheViewToEveryNeighbourThenTheRequestLast() {
        StealingNode thief = stealer("t");
        List<Outgoing> out = thief.tick(0, local("t", 1.0, List.of(), "v", "w"));
        assertThat(out).hasSize(3);
        assertThat(out.subList(0, 2)).allMatch(o -> o.message() instanceof NeighbourView);
        assertThat(out.subList(0, 2)).extracting(Outgoing::to).containsExactly("v", "w");
        assertThat(StealingNode.isRequest(out.get(2))).isTrue();
        // a loaded node only sends its view
        assertThat(stealer("v").tick(0, local("v", 0.0, List.of(), "t"))).hasSize(1);
    }

    @Test
    void viewsAgeOutAfterThreePeriodsAndASecond() {
        StealingNode n = stealer("v");
        StealingNode.Local l = local("v", 0.0, List.of(), "t");
        n.handle(new NeighbourView("t", node("t", 1.0), List.of(), List.of()), 0, null);
        assertThat(n.neighbourhood(4000, l).views()).containsKey("t");
        assertThat(n.neighbourhood(4001, l).views()).isEmpty();
    }

    @Test
    void anAcceptedOfferBecomesAnOrderAndItsEndTheThiefsOutcome() {
        StealingNode victim = stealer("v");
        ProcessProfile busy = process("j", 0, 0.25, 0.98, List.of());
        StealingNode.Local vl = local("v", 0.0, List.of(busy), "t");
        Fixtures.warm(victim.observations(), vl.profile(), vl.processes(),
                new NeighbourView("t", node("t", 1.0), List.of(), List.of()));
        StealRequest r = new StealRequest(7, "t", node("t", 1.0), List.of(), 0, List.of());
        StealingNode.Handled offered = victim.handle(r, 0, vl);
        assertThat(offered.decision()).isNotNull();
        assertThat(offered.outgoing().message()).isInstanceOf(StealOffer.class);
        StealingNode.Handled ordered = victim.handle(new StealAnswer(7, "t", true, "accepted"), 10, vl);
        assertThat(ordered.order()).isEqualTo(new Victim.MigrateOrder(7, "t", "j", 0));
        assertThat(victim.stealOf("j", 0)).contains(7L);
        Outgoing outcome = victim.migrationEnded("j", 0, true, "done").orElseThrow();
        assertThat(outcome.to()).isEqualTo("t");
        assertThat(((StealOutcome) outcome.message()).migrated()).isTrue();
        assertThat(victim.stealOf("j", 0)).isEmpty();
        assertThat(victim.migrationEnded("j", 0, true, "again")).isEmpty();
    }
}
