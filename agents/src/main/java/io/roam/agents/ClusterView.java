package io.roam.agents;

import io.roam.protocol.AgentMessage;
import io.roam.topologies.NodeInfo;
import io.roam.topologies.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ClusterEvent;

/**
 * What one agent knows of the cluster: the members (their nodes), which are unreachable, the
 * agent of each (from the receptionist), and this node's virtual topology (its neighbours).
 * Fed by the agent actor from cluster events and receptionist listings; plain state, not
 * thread-safe.
 */
final class ClusterView {
    private final NodeInfo self;
    private final Topology topology;
    private final Map<String, ActorRef<AgentMessage>> agents = new HashMap<>();
    private final Map<String, NodeInfo> nodes = new HashMap<>();
    private final List<String> unreachable = new ArrayList<>();

    ClusterView(NodeInfo self, Topology topology) {
        this.self = self;
        this.topology = topology;
    }

    /** A member came up, left or was removed. */
    void member(ClusterEvent.MemberEvent e) {
        String address = e.member().address().toString();
        if (e instanceof ClusterEvent.MemberUp) {
            NodeInfo n = MemberRoles.nodeOf(e.member());
            nodes.put(address, n);
            topology.memberUp(n);   // for self, this records its real up number
        } else if (e instanceof ClusterEvent.MemberRemoved || e instanceof ClusterEvent.MemberExited) {
            nodes.remove(address);
            unreachable.remove(address);
            topology.memberRemoved(address);
        }
    }

    void reachability(ClusterEvent.ReachabilityEvent e) {
        String address = e.member().address().toString();
        unreachable.remove(address);
        if (e instanceof ClusterEvent.UnreachableMember) {
            unreachable.add(address);
        }
    }

    /** The receptionist's current agents (this node's own is local-scoped: it stands for self). */
    void agents(Iterable<ActorRef<AgentMessage>> refs) {
        agents.clear();
        for (ActorRef<AgentMessage> ref : refs) {
            String address = ref.path().address().hasLocalScope() ? self.address() : ref.path().address().toString();
            agents.put(address, ref);
        }
    }

    /** IOS: an agent that contacts this one becomes a neighbour, if it is a member. True if it is. */
    boolean contactedBy(ActorRef<?> from) {
        if (from.path().address().hasLocalScope()) {
            return false;
        }
        NodeInfo n = nodes.get(from.path().address().toString());
        if (n != null) {
            topology.contactedBy(n);
        }
        return n != null;
    }

    /** This node as a member (with its up number), or as it started. */
    NodeInfo selfNode() {
        return nodes.getOrDefault(self.address(), self);
    }

    NodeAgent.Peers peers() {
        return new NodeAgent.Peers(selfNode(), Map.copyOf(agents), Map.copyOf(nodes), List.copyOf(unreachable));
    }

    ActorRef<AgentMessage> agent(String address) {
        return agents.get(address);
    }

    NodeInfo node(String address) {
        return nodes.get(address);
    }

    boolean unreachable(String address) {
        return unreachable.contains(address);
    }

    Map<String, ActorRef<AgentMessage>> agents() {
        return Map.copyOf(agents);
    }

    /** The neighbours whose agent is known: those the link prober measures. */
    List<LinkProber.Peer> probePeers() {
        return topology.neighbours().stream().filter(n -> agents.containsKey(n.address()))
                .map(n -> new LinkProber.Peer(n.address(), n.host(), agents.get(n.address()))).toList();
    }

    Topology topology() {
        return topology;
    }

    int members() {
        return nodes.size();
    }

    int unreachableCount() {
        return unreachable.size();
    }

    int agentCount() {
        return agents.size();
    }
}
