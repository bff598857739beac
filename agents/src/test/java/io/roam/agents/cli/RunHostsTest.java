package io.roam.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The nodes roam run gives a job, from a cluster status like /api/status, inside a Slurm allocation and not. */
class RunHostsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void outsideSlurmEveryReachableUndrainedNodeWithItsSlots() {
        JsonNode status = status(node("h1", 4, true, false), node("h2", 2, false, false), node("h3", 2, true, true),
                node("h4", 1, true, false));
        RunHosts r = RunHosts.choose(status, Optional.empty(), null);
        assertThat(r.hosts()).containsExactly("h1", "h4");
        assertThat(r.hostfile()).isEqualTo("h1 slots=4\nh4 slots=1\n");
        assertThat(r.sockets()).containsEntry("/run/roam/agent-%h.sock", List.of("h1", "h4"));
        assertThat(RunHosts.choose(status, Optional.empty(), 3).hostfile()).isEqualTo("h1 slots=3\nh4 slots=3\n");
    }

    @Test
    void insideAnAllocationOnlyItsNodesWithItsSlots() {
        JsonNode status = status(node("cn1", 4, true, false), node("cn2.hpc.org", 4, true, false),
                node("cn3", 4, true, false), node("other", 4, true, false), node("cn4", 4, true, true));
        var alloc = Optional.of(new SlurmAllocation("99", List.of("cn1", "cn2", "cn4", "cn5"), List.of(2, 1, 2, 2)));
        RunHosts r = RunHosts.choose(status, alloc, null);
        // cn3 and other are not in the allocation; cn4 is drained and cn5 has no agent
        assertThat(r.hosts()).containsExactly("cn1", "cn2.hpc.org");
        assertThat(r.hostfile()).isEqualTo("cn1 slots=2\ncn2 slots=1\n");
        assertThat(r.notes()).containsExactly(
                "node cn4 of Slurm job 99 has no reachable, undrained agent in the cluster: left out (start one"
                        + " there: srun --ntasks-per-node=1 roam agent ...)",
                "node cn5 of Slurm job 99 has no reachable, undrained agent in the cluster: left out (start one"
                        + " there: srun --ntasks-per-node=1 roam agent ...)");
        assertThatThrownBy(() -> RunHosts.choose(status, alloc, 4))
                .hasMessageStartingWith("--slots does not apply inside Slurm job 99");
        var elsewhere = Optional.of(new SlurmAllocation("5", List.of("gpu[1-2]"), List.of(1)));
        assertThatThrownBy(() -> RunHosts.choose(status, elsewhere, null)).hasMessage("no node to run on: none of"
                + " Slurm job 5's nodes (gpu[1-2]) has a reachable, undrained agent in the cluster (cn1, cn2.hpc.org,"
                + " cn3, other)");
    }

    @Test
    void namesMatchByShortNameButAddressesOnlyExactly() {
        assertThat(RunHosts.sameHost("cn1", "cn1")).isTrue();
        assertThat(RunHosts.sameHost("cn1.hpc.org", "cn1")).isTrue();
        assertThat(RunHosts.sameHost("cn1", "cn1.hpc.org")).isTrue();
        assertThat(RunHosts.sameHost("cn10", "cn1")).isFalse();
        assertThat(RunHosts.sameHost("10.0.0.1", "10")).isFalse();
        assertThat(RunHosts.sameHost("10.0.0.1", "10.0.0.1")).isTrue();
    }

    private static JsonNode status(ObjectNode... nodes) {
        ObjectNode s = JSON.createObjectNode();
        ArrayNode a = s.putArray("nodes");
        for (ObjectNode n : nodes) {
            a.add(n);
        }
        return s;
    }

    private static ObjectNode node(String host, int slots, boolean reachable, boolean drained) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("node").put("host", host);
        n.put("slots", slots).put("reachable", reachable).put("drained", drained)
                .put("pcmSocket", "/run/roam/agent-%h.sock");
        return n;
    }
}
