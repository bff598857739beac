package io.roam.agents;

import io.roam.topologies.NodeInfo;
import java.util.List;
import org.apache.pekko.cluster.Member;

/** A node's cluster and MPI host travel to every member as the roles of its cluster member. */
final class MemberRoles {
    static final String ROLE_CLUSTER = "roam-cluster=";
    static final String ROLE_HOST = "roam-host=";

    private MemberRoles() {
    }

    /** The roles that carry a node's cluster and MPI host to every member. */
    static List<String> roles(AgentSettings s) {
        return List.of(ROLE_CLUSTER + s.cluster(), ROLE_HOST + s.host());
    }

    /** The node a member stands for, from its address and roles. */
    static NodeInfo nodeOf(Member m) {
        String cluster = NodeInfo.DEFAULT_CLUSTER;
        String host = m.address().host().isDefined() ? m.address().host().get() : "localhost";
        for (String role : m.getRoles()) {
            if (role.startsWith(ROLE_CLUSTER)) {
                cluster = role.substring(ROLE_CLUSTER.length());
            } else if (role.startsWith(ROLE_HOST)) {
                host = role.substring(ROLE_HOST.length());
            }
        }
        return new NodeInfo(m.address().toString(), cluster, host, m.upNumber());
    }
}
