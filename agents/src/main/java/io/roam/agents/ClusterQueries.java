package io.roam.agents;

import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.NodeStatus;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.protocol.AgentMessage.StatusQuery;
import io.roam.profiling.NetworkProfile;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.topologies.NodeInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Cluster-wide questions the control API asks: every agent's status, where a rank runs,
 * which node a name means. Asks run concurrently; an agent that does not answer within the
 * timeout is listed as unreachable.
 */
public final class ClusterQueries {
    /** The answer of GET /api/status: the nodes, and the jobs across them (also GET /api/jobs). */
    public record ClusterStatus(String askedAgent, List<NodeView> nodes, List<JobViews.JobView> jobs) {
    }

    /**
     * One node: its status, or reachable = false and only its membership data ({@code pcmSocket}
     * then null). {@code pcmSocket}: its PCM socket's path, %h for its host name.
     */
    public record NodeView(NodeInfo node, boolean reachable, boolean manager, long upSinceMillis, int slots,
                           List<ProcessInfo> processes, List<String> neighbours, List<ProcessProfile> profiles,
                           NodeProfile profile, NetworkProfile network, boolean drained, String pcmSocket) {
    }

    private final ActorSystem<?> system;
    private final ActorRef<NodeAgent.Command> agent;
    private final Duration timeout;

    public ClusterQueries(ActorSystem<?> system, ActorRef<NodeAgent.Command> agent, Duration timeout) {
        this.system = system;
        this.agent = agent;
        this.timeout = timeout;
    }

    /** How long an ask of another agent may take. */
    public Duration timeout() {
        return timeout;
    }

    public CompletionStage<NodeAgent.Peers> peers() {
        return AskPattern.ask(agent, NodeAgent.GetPeers::new, timeout, system.scheduler());
    }

    public CompletionStage<ClusterStatus> status() {
        return peers().thenCompose(this::status);
    }

    /** Every agent's status, asking the agents in {@code peers}. */
    public CompletionStage<ClusterStatus> status(NodeAgent.Peers peers) {
        List<CompletableFuture<NodeView>> views = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : peers.nodes().entrySet()) {
            ActorRef<AgentMessage> ref = peers.byAddress().get(e.getKey());
            views.add(ask(ref, e.getValue(), peers.unreachable().contains(e.getKey())));
        }
        return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<NodeView> all = new ArrayList<>(views.stream().map(CompletableFuture::join).toList());
            all.sort(Comparator.comparing((NodeView n) -> n.node().host()).thenComparing(n -> n.node().address()));
            return new ClusterStatus(peers.self().address(), all, JobViews.of(all));
        });
    }

    private CompletableFuture<NodeView> ask(ActorRef<AgentMessage> ref, NodeInfo node, boolean unreachable) {
        NodeView down = new NodeView(node, false, false, 0, 0, List.of(), List.of(), List.of(), null, null, false,
                null);
        if (ref == null || unreachable) {
            return CompletableFuture.completedFuture(down);
        }
        CompletionStage<NodeStatus> answer = AskPattern.ask(ref, StatusQuery::new, timeout, system.scheduler());
        return answer.toCompletableFuture()
                .thenApply(s -> new NodeView(node, true, s.manager(), s.upSinceMillis(), s.slots(), s.processes(),
                        s.neighbours(), s.profiles(), s.profile(), s.network(), s.drained(), s.pcmSocket()))
                .exceptionally(t -> down);
    }

    /** The node holding (job, rank) in a status, if any. */
    public static Optional<NodeView> holder(ClusterStatus status, String jobId, int rank) {
        return status.nodes().stream().filter(n -> n.processes().stream()
                .anyMatch(p -> p.jobId().equals(jobId) && p.rank() == rank)).findFirst();
    }

    /** The node a user means by a host name or an agent address. */
    public static Optional<NodeView> node(ClusterStatus status, String name) {
        return status.nodes().stream()
                .filter(n -> n.node().host().equals(name) || n.node().address().equals(name)).findFirst();
    }
}
