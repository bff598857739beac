package io.roam.heat;

import static io.roam.heat.RoamCommands.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web view in a real browser (Debian's headless Chromium, driven by Selenium): two agents
 * on namespace hosts and the heat sample under {@code roam run}. The page shows both nodes and
 * all four ranks; after {@code roam migrate} the rank shows on its new node and the migration
 * with its phase times, while the page was never reloaded (a marker set in the page survives);
 * {@code roam status} lists the migration; {@code /metrics} of the source agent counts it; the
 * history shows the job's iteration time over time with the move marked, and each node's
 * available processing ({@code /api/history} has the same). The page is saved as
 * {@code target/web-view.png} (the screenshot in docs/ comes from it).
 */
@Tag("system")
class WebViewBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path dir;

    @Test
    void thePageFollowsAMigrationLiveWithoutReloading() throws Exception {
        Mpi.requireMpirun();
        requireChromium();
        List<Process> started = new ArrayList<>();
        WebDriver browser = null;
        try (NetnsHosts hosts = NetnsHosts.create("web", 2, dir)) {
            String h1 = hosts.addresses.get(0);
            String h2 = hosts.addresses.get(1);
            String socket = dir.resolve("agent-%h.sock").toString();
            String api1 = "http://" + h1 + ":7170";
            List<String> ns1 = hosts.exec(0);
            started.add(RoamCommands.agentWithoutStealing(hosts, 0, dir));
            started.add(RoamCommands.agentWithoutStealing(hosts, 1, dir));
            // the browser runs here; agent 1's control API listens in host 1: a relay joins them
            Path relaySocket = dir.resolve("web-relay.sock");
            List<String> relay = new ArrayList<>(ns1);
            relay.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                    "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), UnixTcpRelay.class.getName(),
                    relaySocket.toString(), h1, "7170"));
            started.add(new ProcessBuilder(relay).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("relay.log").toFile()).start());
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                JsonNode s = status(ns1, api1);
                assertThat(s.get("nodes")).hasSize(2).allMatch(n -> n.get("reachable").asBoolean());
            });

            List<String> runArgs = new ArrayList<>(List.of("run", "--agent", api1, "--socket", socket, "--"));
            runArgs.addAll(hosts.networkArgs());
            // long enough to outlast the test: it is stopped at the end
            runArgs.addAll(List.of("-np", "4", Mpi.heatBinary("heat").toString(), "-r", "256", "-c", "256",
                    "-i", "100000000", "-o", dir.resolve("grid.bin").toString()));
            started.add(RoamCommands.start(ns1, dir.resolve("run.log"), runArgs.toArray(String[]::new)));

            try (UnixTcpRelay here = UnixTcpRelay.toUnix(relaySocket)) {
                String page = "http://127.0.0.1:" + here.port() + "/";
                browser = chromium();
                browser.get(page);
                JavascriptExecutor js = (JavascriptExecutor) browser;
                WebDriver b = browser;
                // both nodes and all four ranks, placed as the agents report them
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                    assertThat(b.findElements(By.cssSelector(".node[data-host='" + h1 + "']"))).hasSize(1);
                    assertThat(b.findElements(By.cssSelector(".node[data-host='" + h2 + "']"))).hasSize(1);
                    assertThat(b.findElements(By.cssSelector(".node .rank"))).hasSize(4);
                    assertThat(b.findElements(By.cssSelector(".node[data-host='" + h1 + "'] .rank"))).isNotEmpty();
                });
                // read in one script: the page redraws its nodes on each update, and an element
                // found first and read later can be gone (stale)
                String placed = (String) js.executeScript("var on1 = document.querySelectorAll(\".node[data-host='"
                        + h1 + "'] .rank\"); var all = Array.from(document.querySelectorAll('.node .rank'))"
                        + ".map(function (e) { return e.dataset.rank; }).join(',');"
                        + "return on1[0].dataset.job + ' ' + on1[on1.length - 1].dataset.rank + ' ' + all;");
                String[] parts = placed.split(" ");
                String jobId = parts[0];
                int moving = Integer.parseInt(parts[1]);
                List<Integer> ranks = new ArrayList<>();
                for (String r : parts[2].split(",")) {
                    ranks.add(Integer.parseInt(r));
                }
                assertThat(ranks).containsExactlyInAnyOrder(0, 1, 2, 3);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(b.findElements(
                        By.cssSelector("svg[data-job='" + jobId + "'] .graph-rank"))).hasSize(4));
                // the per-rank series of the source agent: the rank to move is there, on its node
                String rankSeries = "roam_job_iteration_seconds{job_id=\"" + jobId + "\",node=\"" + h1 + "\",rank=\""
                        + moving + "\"}";
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                        assertThat(sample(metricsText(page), rankSeries)).isPositive());
                js.executeScript("window.roamMarker = 'not reloaded';");
                long updates = updates(js);

                RoamCommands.Result moved = RoamCommands.run(ns1, 120, "migrate", "--agent", api1, "--job", jobId,
                        "--rank", "" + moving, "--to", h2);
                assertThat(moved.exit()).as(moved.out()).isZero();
                assertThat(moved.out()).contains("ACCEPTED", "ORDERED", "STARTED", "DONE", "phases: decide",
                        "transfer [" + "#".repeat(30) + "]");

                String movedRank = ".node[data-host='" + h2 + "'] .rank[data-job='" + jobId + "'][data-rank='"
                        + moving + "']";
                String doneRow = "#migrations tr[data-job='" + jobId + "'][data-rank='" + moving + "'][data-phase='DONE']";
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    assertThat(b.findElements(By.cssSelector(movedRank))).hasSize(1);
                    assertThat(b.findElements(By.cssSelector(".node[data-host='" + h1 + "'] .rank[data-rank='"
                            + moving + "']"))).isEmpty();
                    assertThat(b.findElements(By.cssSelector(doneRow))).hasSize(1);
                });
                assertThat(js.executeScript("return window.roamMarker;")).isEqualTo("not reloaded");
                // roam status lists it too, from /api/migrations
                RoamCommands.Result table = RoamCommands.run(ns1, 60, "status", "--agent", api1);
                assertThat(table.out()).contains("MIGRATION OF JOB", "TRANSFER ms");
                assertThat(table.out().lines().filter(l -> l.startsWith(jobId) && l.contains(" DONE ")
                        && l.contains(h1) && l.contains(h2))).hasSize(1);
                assertThat(updates(js)).isGreaterThan(updates);
                // found and read in one script: each update redraws the table, so an element found
                // first and read later may be gone (stale) in between
                String row = (String) js.executeScript(
                        "const r = document.querySelector(arguments[0]); return r ? r.innerText : '';", doneRow);
                assertThat(row).contains(h1, h2, "DONE", " ms");
                // once the target agent has timed the replacement's iterations (or the job ended),
                // the row shows what the move did to the job, and so does roam status
                String effectCell = doneRow + " td.effect";
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                        assertThat((String) js.executeScript("const c = document.querySelector(arguments[0]);"
                                + " return c ? c.dataset.effect + '|' + c.innerText : '';", effectCell))
                                .matches("(GAIN|NO_GAIN|WORSE)\\|.*ms per iteration.*|UNMEASURED\\|not measured.*"));
                RoamCommands.Result measured = RoamCommands.run(ns1, 60, "status", "--agent", api1);
                assertThat(measured.out()).contains("EFFECT ON THE JOB");
                assertThat(measured.out().lines().filter(l -> l.startsWith(jobId) && l.contains(" DONE ")
                        && (l.contains("ms per iteration") || l.contains("not measured")))).hasSize(1);
                // the history: the job's iteration time over time with the move marked on it, and
                // each node's available processing (one point per roam.agent.history.step, 10 s)
                String marker = "svg.history[data-job='" + jobId + "'] line.move[data-rank='" + moving + "']";
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                        assertThat((String) js.executeScript("const m = document.querySelector(arguments[0]);"
                                + " const c = document.querySelector(arguments[1]);"
                                + " const n1 = document.querySelector(arguments[2]);"
                                + " const n2 = document.querySelector(arguments[3]);"
                                + " return m && c && n1 && n2 ? m.dataset.from + '>' + m.dataset.to + ' '"
                                + " + c.dataset.points + ' ' + c.querySelectorAll('polyline').length + ' '"
                                + " + n1.dataset.points + ' ' + n2.dataset.points + ' '"
                                + " + m.querySelector('title').textContent : '';", marker,
                                "svg.history[data-job='" + jobId + "']", "svg.history-node[data-host='" + h1 + "']",
                                "svg.history-node[data-host='" + h2 + "']"))
                                .matches(Pattern.quote(h1 + ">" + h2) + " ([2-9]|\\d{2,}) 1 [1-9]\\d* [1-9]\\d* rank "
                                        + moving + " moved " + Pattern.quote(h1 + " -> " + h2) + " at .*"));
                JsonNode history = new com.fasterxml.jackson.databind.ObjectMapper().readTree(HttpClient.newHttpClient()
                        .send(HttpRequest.newBuilder(URI.create(page + "api/history")).build(),
                                HttpResponse.BodyHandlers.ofString()).body());
                JsonNode jobHistory = null;
                for (JsonNode j : history.get("jobs")) {
                    if (j.get("jobId").asText().equals(jobId)) {
                        jobHistory = j;
                    }
                }
                assertThat(jobHistory).as("job %s in %s", jobId, history).isNotNull();
                assertThat(jobHistory.get("moves")).hasSize(1);
                JsonNode move = jobHistory.get("moves").get(0);
                assertThat(move.get("rank").asInt()).isEqualTo(moving);
                assertThat(move.get("from").asText() + ">" + move.get("to").asText()).isEqualTo(h1 + ">" + h2);
                // the move falls within the points: iteration times were recorded before and after it
                long at = move.get("atMillis").asLong();
                long step = history.get("stepMillis").asLong();
                assertThat(jobHistory.get("iterationMs")).anySatisfy(p -> assertThat(p.get(0).asLong()).isLessThan(at));
                await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                        assertThat(historyPoints(page, jobId)).anySatisfy(t -> assertThat(t).isGreaterThan(at + step)));
                Path shot = Path.of("target", "web-view.png");
                Files.createDirectories(shot.getParent());
                Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot,
                        StandardCopyOption.REPLACE_EXISTING);

                // the source agent's metrics, through the same relay, count the migration and its phases
                String metrics = metricsText(page);
                assertThat(metrics).as("the moved rank's series left with it").doesNotContain(rankSeries);
                assertThat(sample(metrics, "roam_migrations_total{outcome=\"done\"}")).isEqualTo(1.0);
                assertThat(sample(metrics, "roam_migration_phase_seconds_count{phase=\"transfer\"}")).isEqualTo(1.0);
                assertThat(sample(metrics, "roam_migration_phase_seconds_sum{phase=\"total\"}")).isPositive();
                assertThat(sample(metrics, "roam_profiling_samples_total{kind=\"process\"}")).isPositive();
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + RoamCommands.logs(dir, "agent1.log", "agent2.log", "run.log",
                    "relay.log"), e);
        } finally {
            if (browser != null) {
                browser.quit();
            }
            for (int i = started.size() - 1; i >= 0; i--) {
                RoamCommands.stop(started.get(i));
            }
        }
    }

    /** The times of the points of the job's iteration-time history, from GET /api/history. */
    private static List<Long> historyPoints(String page, String jobId) throws Exception {
        JsonNode history = new com.fasterxml.jackson.databind.ObjectMapper().readTree(HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(page + "api/history")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
        List<Long> out = new ArrayList<>();
        for (JsonNode j : history.get("jobs")) {
            if (j.get("jobId").asText().equals(jobId)) {
                j.get("iterationMs").forEach(p -> out.add(p.get(0).asLong()));
            }
        }
        return out;
    }

    private static String metricsText(String page) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(page + "metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long updates(JavascriptExecutor js) {
        Object v = js.executeScript("return Number(document.body.dataset.updates || 0);");
        return ((Number) v).longValue();
    }

    /** The value of one sample line of the Prometheus text. */
    private static double sample(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        assertThat(m.find()).as("%s in\n%s", series, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Skips outside CI when Chromium is missing; in CI (scripts/deps.sh installs it) that fails. */
    private static void requireChromium() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String why = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)";
            if (System.getenv("CI") != null) {
                throw new AssertionError("CI is set and " + why);
            }
            Assumptions.abort(why);
        }
    }

    private static WebDriver chromium() {
        // Selenium ships no CDP module for every Chromium release; the test does not use CDP
        java.util.logging.Logger.getLogger("org.openqa.selenium.devtools").setLevel(java.util.logging.Level.SEVERE);
        java.util.logging.Logger.getLogger("org.openqa.selenium.chromium").setLevel(java.util.logging.Level.SEVERE);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000");
        return new ChromeDriver(service, options);
    }
}
