package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roam.agents.cli.RoamCli;
import io.roam.profiling.NodeProfile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent profiles its node at its period; roam profile prints it. */
@Tag("system")
class AgentProfileTest {
    @TempDir
    Path dir;

    @Test
    void theNodeProfileIsLiveAndRoamProfilePrintsIt() throws Exception {
        try (TestAgents agents = new TestAgents(dir)) {
            Agent a = agents.start("p1", "default", "p2p");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                NodeProfile p = AgentClusterTest.status(a).nodes().get(0).profile();
                assertThat(p).isNotNull();
                assertThat(p.host()).isEqualTo("p1");
                assertThat(p.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
                assertThat(p.speedPerCore()).isGreaterThan(1e7);
                assertThat(p.available()).isPositive().isLessThanOrEqualTo(p.capacity() * 1.0001);
                assertThat(p.memTotal()).isPositive();
            });
            long first = AgentClusterTest.status(a).nodes().get(0).profile().atMillis();
            await().atMost(Duration.ofSeconds(10)).until(
                    () -> AgentClusterTest.status(a).nodes().get(0).profile().atMillis() > first);
            PrintStream out = System.out;
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            System.setOut(new PrintStream(buf, true));
            try {
                assertThat(RoamCli.execute("profile", "--agent", a.httpUrl())).isZero();
            } finally {
                System.setOut(out);
            }
            assertThat(buf.toString()).contains("node p1:", "CPU limit", "available processing", "memory", "used by managed processes");
        }
    }
}
