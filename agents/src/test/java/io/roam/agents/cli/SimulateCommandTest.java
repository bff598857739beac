package io.roam.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {
    @Test
    void runsAScenarioAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("tiny.conf");
        Files.writeString(conf, "roam.simulation { name = tiny, nodes = 20, duration = 20s,"
                + " applications { jobs = 4, processes-per-job = 5 } }\n");
        Path out = dir.resolve("out");
        int code = RoamCli.execute("simulate", conf.toString(), "--out", out.toString(), "--seed", "3",
                "--balancers", "nts,greedy,none");
        assertThat(code).isZero();
        assertThat(Files.readString(out.resolve("report.md"))).contains("| nts |", "| greedy |", "| none |");
        assertThat(out.resolve("imbalance.svg")).exists();
    }

    @Test
    void refusesAnUnknownBalancerAndABadScenario(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "roam.simulation.nodes = 1\n");
        assertThat(RoamCli.execute("simulate", conf.toString(), "--balancers", "magic")).isEqualTo(2);
        assertThat(RoamCli.execute("simulate", conf.toString(), "--out", dir.resolve("o").toString())).isEqualTo(2);
    }
}
