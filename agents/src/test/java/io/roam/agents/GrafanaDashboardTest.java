package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/grafana/roam.json queries only what an agent exports: every metric name in its
 * queries, annotations and variables is a series of {@code GET /metrics} (the agent's own
 * registry, scraped here), and every label it selects or groups by is one of that metric's
 * labels (or instance, which Prometheus adds).
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "roam.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:roam|jvm|process|system)_[a-zA-Z0-9_]+)(\\{[^}]*})?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    private static final Pattern BY = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((\\w+),\\s*(\\w+)\\)");
    private static final ActorTestKit kit = ActorTestKit.create("grafana");

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void everyQueriedMetricAndLabelIsExportedByTheAgent() throws Exception {
        AgentMetrics metrics = AgentMetrics.get(kit.system());
        metrics.iteration("job-1", 0, "node1", 0.002);   // a rank here: its series exists
        Map<String, Set<String>> exported = new HashMap<>();
        for (PrometheusText.Sample s : PrometheusText.parse(metrics.scrape()).samples) {
            exported.computeIfAbsent(s.name(), n -> new HashSet<>()).addAll(s.labels().keySet());
        }
        assertThat(exported).containsKey("roam_job_iteration_seconds");
        assertThat(exported.get("roam_job_iteration_seconds")).containsExactlyInAnyOrder("job_id", "rank", "node");

        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> queries.add(e.asText()));
        dashboard.findValues("definition").forEach(e -> queries.add(e.asText()));
        assertThat(queries).hasSizeGreaterThan(15);
        assertThat(dashboard.get("panels")).allSatisfy(p -> assertThat(p.get("targets")).isNotEmpty());
        for (String q : queries) {
            Set<String> labels = new HashSet<>(Set.of("instance"));
            Matcher m = METRIC.matcher(q);
            boolean any = false;
            while (m.find()) {
                any = true;
                String name = m.group(1);
                assertThat(exported).as("metric %s of query %s", name, q).containsKey(name);
                labels.addAll(exported.get(name));
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        if (l.group(1).equals("instance")) {
                            continue;   // Prometheus adds it to every scraped series
                        }
                        assertThat(exported.get(name)).as("label %s of %s in %s", l.group(1), name, q)
                                .contains(l.group(1));
                    }
                }
            }
            assertThat(any).as("a Roam metric in %s", q).isTrue();
            Matcher by = BY.matcher(q);
            while (by.find()) {
                for (String l : by.group(1).split(",")) {
                    assertThat(labels).as("grouping label %s in %s", l.trim(), q).contains(l.trim());
                }
            }
            Matcher lv = LABEL_VALUES.matcher(q);
            while (lv.find()) {
                assertThat(labels).as("label %s in %s", lv.group(2), q).contains(lv.group(2));
            }
        }
    }
}
