package io.roam.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MpirunHostsTest {
    @TempDir
    Path dir;

    @Test
    void hostListsInEveryFormOpenMpiTakesWithoutTheirSlots() {
        List<String> notes = new ArrayList<>();
        assertThat(MpirunHosts.named(List.of("--mca", "pml", "ob1", "--host", "10.0.0.1:2,10.0.0.3:1", "-np", "3",
                "./heat", "-H", "x"), notes)).containsExactly("10.0.0.1", "10.0.0.3");   // after the program: its own
        assertThat(MpirunHosts.named(List.of("-H", "a,b", "-host", "b,c", "--host=d:4"), notes))
                .containsExactly("a", "b", "c", "d");
        assertThat(MpirunHosts.named(List.of("-np", "2", "./app"), notes)).isEmpty();
        assertThat(MpirunHosts.named(List.of("--host"), notes)).isEmpty();   // nothing after it: mpirun's to refuse
        assertThat(notes).isEmpty();
    }

    @Test
    void hostfilesGiveTheFirstWordOfEachLineThatIsNotAComment() throws Exception {
        Path hf = Files.writeString(dir.resolve("hosts"), "# nodes\nnode1 slots=2\n\n  node2\nnode1 slots=1\n");
        List<String> notes = new ArrayList<>();
        assertThat(MpirunHosts.named(List.of("--hostfile", hf.toString(), "-np", "2", "./app"), notes))
                .containsExactly("node1", "node2");
        assertThat(MpirunHosts.named(List.of("-machinefile=" + hf), notes)).containsExactly("node1", "node2");
        assertThat(MpirunHosts.named(List.of("--hostfile", dir.resolve("missing").toString()), notes)).isEmpty();
        assertThat(notes).singleElement().asString().contains("cannot read the hostfile", "missing");
    }
}
