package io.roam.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Slurm's compressed host lists and per-node counts, read as Slurm writes them. */
class SlurmAllocationTest {
    @Test
    void hostListsExpandAsSlurmWritesThem() {
        assertThat(SlurmAllocation.expandHostlist("node1")).containsExactly("node1");
        assertThat(SlurmAllocation.expandHostlist("node[1-3,5]")).containsExactly("node1", "node2", "node3", "node5");
        assertThat(SlurmAllocation.expandHostlist("n[08-11]")).containsExactly("n08", "n09", "n10", "n11");
        assertThat(SlurmAllocation.expandHostlist("a[1-2],gpu7,b[01,3]"))
                .containsExactly("a1", "a2", "gpu7", "b01", "b3");
        assertThat(SlurmAllocation.expandHostlist("rack[1-2]-n[1-2]"))
                .containsExactly("rack1-n1", "rack1-n2", "rack2-n1", "rack2-n2");
        assertThat(SlurmAllocation.expandHostlist("cn[1-2].hpc.org")).containsExactly("cn1.hpc.org", "cn2.hpc.org");
        assertThat(SlurmAllocation.expandHostlist("rslm3f1[1-2]")).containsExactly("rslm3f11", "rslm3f12");
    }

    @Test
    void malformedHostListsAreRefusedSayingWhy() {
        assertThatThrownBy(() -> SlurmAllocation.expandHostlist("node[1-3"))
                .hasMessage("cannot read Slurm's host list 'node[1-3': a '[' without ']'");
        assertThatThrownBy(() -> SlurmAllocation.expandHostlist("node1-3]"))
                .hasMessage("cannot read Slurm's host list 'node1-3]': a ']' without '['");
        assertThatThrownBy(() -> SlurmAllocation.expandHostlist("node[5-2]"))
                .hasMessage("cannot read Slurm's host list 'node[5-2]': the range 5-2 goes down");
        assertThatThrownBy(() -> SlurmAllocation.expandHostlist("node[a-b]"))
                .hasMessage("cannot read Slurm's host list 'node[a-b]': '[a-b]' holds 'a-b', not a number or a range a-b");
        assertThatThrownBy(() -> SlurmAllocation.expandHostlist("a,,b"))
                .hasMessage("cannot read Slurm's host list 'a,,b': an empty name");
        assertThatThrownBy(() -> SlurmAllocation.expandHostlist("n[1-999999999]"))
                .hasMessage("cannot read Slurm's host list 'n[1-999999999]': more than 65536 hosts");
        assertThatThrownBy(() -> SlurmAllocation.expandHostlist("r[1-300]n[1-300]"))
                .hasMessage("cannot read Slurm's host list 'r[1-300]n[1-300]': more than 65536 hosts");
    }

    @Test
    void perNodeCountsExpand() {
        assertThat(SlurmAllocation.expandCounts("2(x3),1")).containsExactly(2, 2, 2, 1);
        assertThat(SlurmAllocation.expandCounts("4")).containsExactly(4);
        assertThatThrownBy(() -> SlurmAllocation.expandCounts("2(3)"))
                .hasMessage("cannot read Slurm's per-node counts '2(3)': '2(3)' is not N or N(xM)");
    }

    @Test
    void theAllocationComesFromTheEnvironment() {
        assertThat(SlurmAllocation.fromEnv(Map.of("PATH", "/bin"))).isEmpty();
        SlurmAllocation a = SlurmAllocation.fromEnv(Map.of("SLURM_JOB_ID", "42", "SLURM_JOB_NODELIST", "cn[1-3]",
                "SLURM_TASKS_PER_NODE", "2(x2),1")).orElseThrow();
        assertThat(a.jobId()).isEqualTo("42");
        assertThat(a.nodes()).containsExactly("cn1", "cn2", "cn3");
        assertThat(a.tasks()).containsExactly(2, 2, 1);
        assertThat(a.tasksOf("cn3")).isEqualTo(1);
        // older variable names, and the CPUs when the tasks are not said
        SlurmAllocation b = SlurmAllocation.fromEnv(Map.of("SLURM_JOBID", "7", "SLURM_NODELIST", "x[1-2]",
                "SLURM_JOB_CPUS_PER_NODE", "8(x2)")).orElseThrow();
        assertThat(b.nodes()).containsExactly("x1", "x2");
        assertThat(b.tasks()).isEqualTo(List.of(8, 8));
        assertThatThrownBy(() -> SlurmAllocation.fromEnv(Map.of("SLURM_JOB_ID", "42", "SLURM_JOB_NODELIST", "cn[1-3]",
                "SLURM_TASKS_PER_NODE", "2")))
                .hasMessage("SLURM_TASKS_PER_NODE=2 gives 1 nodes, SLURM_JOB_NODELIST=cn[1-3] 3");
        assertThatThrownBy(() -> SlurmAllocation.fromEnv(Map.of("SLURM_JOB_ID", "42")))
                .hasMessageStartingWith("SLURM_JOB_ID is set (42) but SLURM_JOB_NODELIST is not");
    }
}
