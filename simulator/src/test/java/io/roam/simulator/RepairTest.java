package io.roam.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RepairTest {
    @Test
    void itsMovesBringEveryNodeWithinTheTarget() {
        World w = new World(Small.packed(), 4);
        Setup.build(w);
        double[] best = LoadModel.evaluate(w, Lpt.assign(w)).nodeLoad();
        double ref = w.alive().stream().mapToDouble(n -> best[n.id]).max().orElseThrow();
        double target = GreedyBalancer.TARGET * ref;
        assertThat(w.alive().stream().mapToDouble(SimNode::load).max().orElseThrow()).isGreaterThan(3 * target);
        List<Repair.Move> moves = Repair.plan(w, target);
        assertThat(moves).isNotNull().isNotEmpty().hasSizeLessThan(w.processes.size());
        assertThat(moves.stream().map(Repair.Move::process).distinct().count()).isEqualTo(moves.size());
        for (Repair.Move m : moves) {
            w.move(m.process(), m.to());
        }
        w.checkConservation();
        assertThat(w.alive().stream().mapToDouble(SimNode::load).max().orElseThrow()).isLessThanOrEqualTo(target);
    }

    @Test
    void itGivesUpWhenNothingCanMoveWithinTheTarget() {
        World w = new World(Small.packed(), 4);
        Setup.build(w);
        assertThat(Repair.plan(w, 1e-6)).isNull();
    }
}
