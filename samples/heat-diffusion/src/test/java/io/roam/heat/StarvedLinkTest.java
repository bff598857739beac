package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link between two agents that are short of CPU (each host a cgroup of 0.3 cores, a busy
 * loop beside its agent): its bandwidth as the agents report it stays that of the link (a veth
 * pair, GB/s), not that of the agents' scheduling. Their own payload probe, timed by agents that
 * wait tens of ms for the CPU, measured such a link at 1 to 13 MB/s in most rounds; the kernel's
 * delivery rate of the connection that carried it (roam.profiling.network.kernel-rates) does
 * not wait for them. The communication gain counts by this figure (autonomy scenario 6).
 */
@Tag("system")
class StarvedLinkTest {
    /** Far below any veth pair's rate, far above what the starved agents' own timing gave. */
    private static final double MIN_BYTES_PER_SEC = 100e6;
    private static final int READINGS = 8;

    @TempDir
    Path dir;

    @Test
    void starvedAgentsReportTheLinkNotTheirScheduling() throws Exception {
        List<Process> started = new ArrayList<>();
        try (NetnsHosts hosts = NetnsHosts.create("slk", 2, dir)) {
            String[] fast = {"roam.profiling.network.period=1s", "roam.profiling.network.bandwidth-every=2"};
            for (int i = 0; i < 2; i++) {
                hosts.cpu(i, "max");   // the cgroup now, the quota once the agents are up
                started.add(RoamCommands.agentWithoutStealing(hosts, i, dir, fast));
            }
            List<String> outside = List.of("ip", "netns", "exec", hosts.namespaces.get(0));
            String api = "http://" + hosts.addresses.get(0) + ":7170";
            String toHost2 = hosts.addresses.get(1);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(bandwidth(outside, api, toHost2)).as("bandwidth to host 2 known").isPositive());
            for (int i = 0; i < 2; i++) {
                List<String> busy = new ArrayList<>(hosts.exec(i));
                busy.addAll(List.of("sh", "-c", "while :; do :; done"));
                started.add(new ProcessBuilder(busy).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("busy" + (i + 1) + ".log").toFile()).start());
                hosts.cpu(i, "0.3");
            }
            Thread.sleep(6000);   // two payload rounds: the window holds samples of starved agents only
            List<Double> seen = new ArrayList<>();
            for (int r = 0; r < READINGS; r++) {
                seen.add(bandwidth(outside, api, toHost2));
                Thread.sleep(1500);
            }
            System.out.printf("host 1 -> host 2, both starved: bandwidth %s MB/s%n",
                    seen.stream().map(b -> String.format("%.0f", b / 1e6)).toList());
            assertThat(seen).as("the link's bandwidth as host 1's agent reported it, bytes/s; logs:%s",
                    RoamCommands.logs(dir, "agent1.log")).allMatch(b -> b > MIN_BYTES_PER_SEC);
        } finally {
            started.forEach(RoamCommands::stop);
        }
    }

    /** Host 1's agent's bandwidth to {@code peerIp}, bytes/s (-1: unknown), read from outside its cgroup. */
    private static double bandwidth(List<String> outside, String api, String peerIp) throws Exception {
        JsonNode status = RoamCommands.status(outside, api);
        for (JsonNode n : status.get("nodes")) {
            if (!api.contains("//" + n.get("node").get("host").asText() + ":")) {
                continue;
            }
            for (JsonNode l : n.get("network").get("links")) {
                if (l.get("peerHost").asText().equals(peerIp)) {
                    return l.get("bandwidthBytesPerSec").asDouble();
                }
            }
        }
        return -1;
    }
}
