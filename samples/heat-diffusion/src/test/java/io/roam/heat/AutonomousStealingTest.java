package io.roam.heat;

import java.time.Duration;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end, with nobody telling the agents anything: three namespace hosts that are CPU
 * cgroups of 0.6 cores, an agent on each, the heat sample on two of them under roam run;
 * after a balanced phase (no migration allowed: no thrashing) the host of rank 0 is
 * throttled to 0.15 cores, and the agents must move its rank away within a bounded time,
 * with each work-stealing protocol. The final grid is compared with a run without Roam.
 * Runs scripts/auto-demo.sh, the same code as make demo.
 */
@Tag("system")
class AutonomousStealingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    /** The reference grid, the same for the three protocols: computed once (AutoDemo's ReferenceCache). */
    @TempDir
    static Path references;

    @ParameterizedTest
    @ValueSource(strings = {"rs", "ats", "nts"})
    void aThrottledNodeLosesItsRankAndTheGridIsBitExact(String protocol) throws Exception {
        Mpi.requireMpirun();
        Path script = RepoFiles.find("scripts/auto-demo.sh");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "--protocol", protocol, "--rows", "2048",
                "--cols", "2048", "--iterations", "8000", "--slow-after", "15").redirectErrorStream(true)
                .redirectOutput(dir.resolve("demo.out").toFile());
        pb.environment().put("ROAM_DEMO_OUT", dir.resolve("out").toString());
        pb.environment().put("ROAM_DEMO_REFERENCE_CACHE", references.toString());
        pb.environment().put("ROAM_DEMO_KEYS", dir.resolve("keys").toString());   // not /etc/roam/keys
        pb.environment().put("ROAM_DEMO_PREFIX", "ast-" + protocol);
        pb.environment().put("ROAM_DEMO_SUBNET", "10.233." + List.of("rs", "ats", "nts").indexOf(protocol));
        Process demo = pb.start();
        try {
            assertThat(demo.waitFor(300, TimeUnit.SECONDS)).as(output()).isTrue();
            JsonNode r = JSON.readTree(Files.readString(dir.resolve("out/result.json")));
            String out = output();
            // The demo's verdict also holds the iteration time after rebalancing to 1.1 x before
            // (make demo, benchmarks/balancing.sh); on a machine shared with other work that
            // ratio is the machine's as much as Roam's, so here only the moves are judged.
            String verdict = r.get("verdict").asText();
            if (!verdict.startsWith("after rebalancing")) {
                assertThat(demo.exitValue()).as(out).isZero();
                assertThat(verdict).as(out).isEqualTo("ok");
            }
            assertThat(r.get("exit").asInt()).as(out).isZero();
            assertThat(r.get("bitExact").asBoolean()).as(out).isTrue();
            // Host 1 also runs mpirun and the seed agent inside its 0.6 cores, so its rank may
            // rightly move once to the idle host before the slowdown; more would be thrashing.
            assertThat(r.get("migrationsBeforeSlowdown").asLong()).as("before the slowdown\n" + out).isLessThanOrEqualTo(1);
            String throttled = r.get("throttledHost").asText();
            assertThat(throttled).isNotEmpty();
            List<String> hostsAtEnd = new ArrayList<>();
            r.get("finalPlacement").forEach(h -> hostsAtEnd.add(h.asText()));
            assertThat(hostsAtEnd).as("where the ranks ended\n" + out).hasSize(2).doesNotContain(throttled);
            assertThat(r.get("migrations").size()).as(out).isBetween(1, 3);
            // each move's effect as the agents measured it. A move off the throttled host never
            // made the job slower; whether its gain stands out of the noise (GAIN rather than
            // NO_GAIN) depends on the machine: with the cores shared by other jobs, a window
            // before the move that spans the other rank's move was seen as 28.2 -> 10.6 ms
            // "no gain". The judgement itself is MoveEffectTest's.
            List<String> verdicts = new ArrayList<>();
            r.get("moves").forEach(m -> verdicts.add(m.get("verdict").asText()));
            assertThat(verdicts).as(out).hasSize(r.get("migrations").size()).doesNotContain("MEASURING");
            r.get("moves").forEach(m -> {
                if (m.get("source").asText().equals(throttled)) {
                    assertThat(m.get("verdict").asText()).as("the move off the throttled host\n" + out)
                            .isNotEqualTo("WORSE");
                }
            });
            assertThat(out).contains("move(s) as the agents measured them: rank ");
            assertThat(r.get("reactionSeconds").asDouble()).as(out).isPositive().isLessThan(30);
            assertThat(Files.readString(dir.resolve("out/iteration-time.svg"))).contains("<polyline", "slowdown");
        } finally {
            ProcessTrees.stop(demo, Duration.ofSeconds(30));   // its EXIT trap removes the hosts
            System.out.println("AutonomousStealingTest " + protocol + ": the demo's output (times since its start)\n"
                    + output());
        }
    }

    private String output() throws java.io.IOException {
        Path p = dir.resolve("demo.out");
        return Files.exists(p) ? Files.readString(p) : "(no output)";
    }
}
