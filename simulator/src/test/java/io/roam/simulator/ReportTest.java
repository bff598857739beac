package io.roam.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @Test
    void writesTheTableThePlotsAndTheSamples(@TempDir Path dir) throws Exception {
        Scenario s = Small.packed();
        List<SimulationResult> runs = List.of(Simulation.run(s, "greedy", 1), Simulation.run(s, "none", 1));
        Report.write(dir, s, runs);
        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("| greedy |", "| none | not reached |", "imbalance.svg");
        // the largest load at round ceil(2 log2 100) = 14, and messages per node per round
        String greedy = md.lines().filter(l -> l.startsWith("| greedy |")).findFirst().orElseThrow();
        assertThat(greedy).contains("(round 14)");
        assertThat(greedy.split("\\|", -1)).hasSize(18);   // 16 columns
        assertThat(Report.twoLog2(10_000)).isEqualTo(27);
        for (String[] p : Report.PLOTS) {
            String svg = Files.readString(dir.resolve(p[0]));
            assertThat(svg).startsWith("<svg").contains("<polyline", ">greedy<", ">none<").endsWith("</svg>\n");
        }
        assertThat(Files.readAllLines(dir.resolve("samples.csv"))).hasSize(1 + runs.get(0).samples().size()
                + runs.get(1).samples().size());
    }
}
