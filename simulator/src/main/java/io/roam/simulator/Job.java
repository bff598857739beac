package io.roam.simulator;

import java.util.ArrayList;
import java.util.List;

/** One simulated application (MPI job): its ranks in rank order and its per-rank work per iteration. */
final class Job {
    final int index;
    final String id;
    final double work;
    final List<SimProcess> ranks = new ArrayList<>();

    Job(int index, double work) {
        this.index = index;
        this.id = String.format("job%05d", index);
        this.work = work;
    }
}
