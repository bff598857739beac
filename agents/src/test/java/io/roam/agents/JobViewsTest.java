package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.agents.JobViews.JobView;
import io.roam.agents.JobViews.RankView;
import io.roam.profiling.ProcessProfile;
import io.roam.profiling.ProcessProfile.PeerTraffic;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.topologies.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster-wide picture of a job from the nodes' status answers. */
class JobViewsTest {
    private static final long ROW = 512 * 8;

    /** A 1-D stencil of 4 ranks after {@code its} iterations: one row to each neighbour per iteration. */
    private static ProcessProfile stencilRank(String job, int rank, long pid, long its) {
        List<PeerTraffic> peers = new ArrayList<>();
        for (int peer : new int[] {rank - 1, rank + 1}) {
            if (peer >= 0 && peer < 4) {
                peers.add(new PeerTraffic(peer, its, its * ROW));
            }
        }
        return new ProcessProfile(job, rank, pid, 0, 0, 10, 1 << 20, 0, its, 5_000_000, 0, 0, 0.5, 0.9, peers);
    }

    private static NodeView node(String host, String job, int... ranks) {
        List<ProcessInfo> processes = new ArrayList<>();
        List<ProcessProfile> profiles = new ArrayList<>();
        for (int r : ranks) {
            processes.add(new ProcessInfo(job, r, 4, 100 + r, host, 0, 0));
            profiles.add(stencilRank(job, r, 100 + r, 1000));
        }
        return new NodeView(new NodeInfo("pekko://roam@" + host + ":2552", "default", host, 1), true, false, 0, 2,
                processes, List.of(), profiles, null, null, false, "/tmp/a.sock");
    }

    @Test
    void aStencilSplitOverTwoNodesHasLocalAndRemoteTrafficPerRank() {
        List<JobView> jobs = JobViews.of(List.of(node("a", "j1", 0, 1), node("b", "j1", 2, 3)));

        assertThat(jobs).hasSize(1);
        JobView job = jobs.get(0);
        assertThat(job.size()).isEqualTo(4);
        assertThat(job.ranks()).extracting(RankView::rank).containsExactly(0, 1, 2, 3);
        assertThat(job.ranks()).extracting(RankView::host).containsExactly("a", "a", "b", "b");
        assertThat(job.edges()).extracting(e -> e.from() + "->" + e.to())
                .containsExactlyInAnyOrder("0->1", "1->0", "1->2", "2->1", "2->3", "3->2");
        assertThat(job.edges()).allMatch(e -> e.messages() == 1000 && e.bytes() == 1000 * ROW);
        long both = 2 * 1000 * ROW;   // a neighbour pair exchanges a row each way per iteration
        RankView r1 = job.ranks().get(1);
        assertThat(r1.localBytes()).isEqualTo(both);                        // with rank 0 on a
        assertThat(r1.bytesByNode()).isEqualTo(Map.of("a", both, "b", both)); // rank 2 on b
        RankView r0 = job.ranks().get(0);
        assertThat(r0.localBytes()).isEqualTo(both);
        assertThat(r0.bytesByNode()).isEqualTo(Map.of("a", both));
        assertThat(r0.iterationMs()).isEqualTo(5.0);
    }

    @Test
    void jobsAreSeparatedAndARankWithoutProfileStillShowsWhereItRuns() {
        NodeView a = node("a", "j1", 0, 1, 2, 3);
        NodeView b = new NodeView(new NodeInfo("pekko://roam@b:2552", "default", "b", 2), true, false, 0, 2,
                List.of(new ProcessInfo("j2", 0, 1, 7, "b", 0, 0)), List.of(), List.of(), null, null, false,
                "/tmp/b.sock");

        List<JobView> jobs = JobViews.of(List.of(a, b));

        assertThat(jobs).extracting(JobView::jobId).containsExactly("j1", "j2");
        assertThat(jobs.get(0).ranks()).allMatch(r -> r.host().equals("a") && r.bytesByNode().keySet().equals(
                java.util.Set.of("a")));
        JobView j2 = jobs.get(1);
        assertThat(j2.ranks()).singleElement().satisfies(r -> {
            assertThat(r.host()).isEqualTo("b");
            assertThat(r.localBytes()).isZero();
            assertThat(r.iterations()).isZero();
        });
        assertThat(j2.edges()).isEmpty();
    }

    @Test
    void noProcessesNoJobs() {
        assertThat(JobViews.of(List.of())).isEmpty();
        assertThat(JobViews.of(List.of(node("a", "j", new int[0])))).isEmpty();
    }
}
