package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.roam.agents.cli.RoamCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artery over TLS with mutual authentication, the default: agents holding the cluster's keys
 * (the default set, or one from {@code roam keys}) form a cluster; an agent with another
 * cluster's keys, or one running without TLS, can neither join nor reach an actor of theirs,
 * and says in one line that it is a TLS mismatch; an agent running without TLS warns at start;
 * bad TLS settings stop an agent at start naming the key.
 */
@Tag("system")
class TlsClusterTest {
    /** The join check soon after start, so that the intruders say why they are not members. */
    private static final Config SOON = ConfigFactory.parseString("roam.agent.join-check = 2s");
    private static final Config INSECURE = ConfigFactory.parseString("roam.agent.tls.enabled = false")
            .withFallback(SOON);

    @TempDir
    Path dir;

    @Test
    void onlyAgentsWithTheClustersKeysJoinOrReachIt() throws Exception {
        assertThat(RoamCli.execute("keys", "--out", dir.resolve("theirs").toString(), "--cluster", "theirs")).isZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("theirs/password")))).isEqualTo("rw-------");
        // a second run into the same directory refuses to overwrite the cluster's keys
        assertThat(RoamCli.execute("keys", "--out", dir.resolve("theirs").toString())).isEqualTo(2);
        Config theirs = ConfigFactory.parseFile(dir.resolve("theirs/tls.conf").toFile()).withFallback(SOON);

        try (TestAgents agents = new TestAgents(dir); LogLines joinLog = new LogLines(JoinCheck.class);
             LogLines startLog = new LogLines(Agent.class)) {
            // nothing about TLS configured: the default key set of TestAgents.KEYS
            Agent a = agents.start("h1", "default", "p2p");
            Agent b = agents.start("h2", "default", "p2p");
            assertThat(a.system().settings().config().getString("pekko.remote.artery.transport")).isEqualTo("tls-tcp");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(up(a)).containsExactlyInAnyOrder(a.address(), b.address()));
            assertThat(identify(b, a)).as("a cluster member reaches an agent's actors").isTrue();
            String seed = a.address().substring(a.address().indexOf('@') + 1);

            Agent intruder = agents.start("h3", "default", "p2p", theirs);   // seeded at a, like b
            Agent plain = agents.start("h4", "default", "p2p", INSECURE);
            assertThat(plain.system().settings().config().getString("pekko.remote.artery.transport")).isEqualTo("tcp");
            // What is shown is that nothing happens, so the time is the test: over four join
            // attempts (seed-node-timeout 2 s), checked every 200 ms rather than once at the end,
            // neither is ever a member of a's cluster nor a or b Up in its own.
            await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(9)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        assertThat(up(a)).containsExactlyInAnyOrder(a.address(), b.address());
                        assertThat(members(a)).doesNotContain(intruder.address(), plain.address());
                        assertThat(up(intruder)).doesNotContain(a.address(), b.address());
                        assertThat(up(plain)).doesNotContain(a.address(), b.address());
                    });
            assertThat(identify(intruder, a)).as("the intruder reaches an agent's actors").isFalse();
            assertThat(identify(plain, a)).as("an agent without TLS reaches an agent's actors").isFalse();
            // each says why, in one line
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(joinLog.lines())
                    .anyMatch(l -> l.startsWith("WARN cannot join the cluster, TLS mismatch: seed " + seed
                            + " presents a certificate this agent's trust store does not hold"))
                    .anyMatch(l -> l.startsWith("WARN cannot join the cluster, TLS mismatch: seed " + seed
                            + " requires TLS while this agent runs without it (roam.agent.tls.enabled = false)")));
            assertThat(joinLog.lines()).allMatch(l -> l.lines().count() == 1);
            assertThat(startLog.lines()).filteredOn(l -> l.startsWith("WARN roam.agent.tls.enabled = false: the cluster"
                    + " runs without TLS")).hasSize(1);
            assertThat(startLog.lines()).filteredOn(l -> l.startsWith("INFO ") && l.contains("keys in " + TestAgents.KEYS
                    + " (the agents of this machine share them): copy that directory to the same path on every other"
                    + " node")).hasSize(2);
        }
    }

    @Test
    void anAgentWithTlsCannotJoinAClusterWithoutAndSaysSo() throws Exception {
        try (TestAgents insecure = new TestAgents(dir.resolve("a")); TestAgents secure = new TestAgents(dir.resolve("b"));
             LogLines joinLog = new LogLines(JoinCheck.class)) {
            Agent seed = insecure.start("p1", "default", "p2p", INSECURE);
            await().atMost(Duration.ofSeconds(30)).until(() -> up(seed).contains(seed.address()));
            Agent joiner = secure.start("s1", "default", "p2p", SOON.withValue("pekko.cluster.seed-nodes",
                    ConfigValueFactory.fromIterable(List.of(seed.address()))));
            String at = seed.address().substring(seed.address().indexOf('@') + 1);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(joinLog.lines()).contains(
                    "WARN cannot join the cluster, TLS mismatch: seed " + at + " does not speak TLS: it runs with"
                            + " roam.agent.tls.enabled = false while this agent requires TLS; give every agent of the"
                            + " cluster the same setting"));
            assertThat(members(seed)).doesNotContain(joiner.address());
        }
    }

    @Test
    void badTlsSettingsStopTheAgentAtStartNamingTheKey() throws Exception {
        assertThat(RoamCli.execute("keys", "--out", dir.resolve("k").toString())).isZero();
        Config good = ConfigFactory.parseFile(dir.resolve("k/tls.conf").toFile());
        Path wrong = dir.resolve("wrong-password");
        Files.writeString(wrong, "not-the-password\n");
        try (TestAgents agents = new TestAgents(dir)) {
            for (var bad : List.of(
                    List.of("roam.agent.tls.key-store", dir.resolve("missing.p12").toString(), "a readable file"),
                    List.of("roam.agent.tls.password-file", wrong.toString(), "opens with the password"),
                    List.of("roam.agent.tls.trust-store", "", "a readable file"))) {
                Config c = good.withValue(bad.get(0), ConfigValueFactory.fromAnyRef(bad.get(1)));
                String key = bad.get(0).equals("roam.agent.tls.password-file") ? "roam.agent.tls.key-store" : bad.get(0);
                assertThatThrownBy(() -> agents.start("h1", "default", "p2p", c))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(key).hasMessageContaining(bad.get(2));
            }
        }
        assertThat(RoamCli.execute("keys", "--out", dir.resolve("v").toString(), "--validity", "0")).isEqualTo(2);
    }

    private static List<String> members(Agent agent) {
        return StreamSupport.stream(Cluster.get(agent.system()).state().getMembers().spliterator(), false)
                .map(m -> m.address().toString()).toList();
    }

    private static List<String> up(Agent agent) {
        return StreamSupport.stream(Cluster.get(agent.system()).state().getMembers().spliterator(), false)
                .filter(m -> m.status() == MemberStatus.up()).map(Member::address).map(Object::toString).toList();
    }

    /** Whether {@code from} resolves the user guardian of {@code to} over Artery within 3 s. */
    private static boolean identify(Agent from, Agent to) {
        try {
            ActorRef ref = from.system().classicSystem().actorSelection(to.address() + "/user")
                    .resolveOne(Duration.ofSeconds(3)).toCompletableFuture().join();
            return ref != null;
        } catch (CompletionException e) {
            return false;
        }
    }
}
