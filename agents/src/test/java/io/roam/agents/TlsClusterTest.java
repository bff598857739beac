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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artery over TLS with mutual authentication: agents holding the cluster's keys (from
 * {@code roam keys}) form a cluster; an agent with another cluster's keys can neither join nor
 * reach an actor of theirs; bad TLS settings stop an agent at start naming the key.
 */
class TlsClusterTest {
    @TempDir
    Path dir;

    @Test
    void onlyAgentsWithTheClustersKeysJoinOrReachIt() throws Exception {
        assertThat(RoamCli.execute("keys", "--out", dir.resolve("ours").toString(), "--cluster", "ours")).isZero();
        assertThat(RoamCli.execute("keys", "--out", dir.resolve("theirs").toString(), "--cluster", "theirs")).isZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ours/password")))).isEqualTo("rw-------");
        // a second run into the same directory refuses to overwrite the cluster's keys
        assertThat(RoamCli.execute("keys", "--out", dir.resolve("ours").toString())).isEqualTo(2);
        Config ours = ConfigFactory.parseFile(dir.resolve("ours/tls.conf").toFile());
        Config theirs = ConfigFactory.parseFile(dir.resolve("theirs/tls.conf").toFile());

        try (TestAgents agents = new TestAgents(dir)) {
            Agent a = agents.start("h1", "default", "p2p", ours);
            Agent b = agents.start("h2", "default", "p2p", ours);
            assertThat(a.system().settings().config().getString("pekko.remote.artery.transport")).isEqualTo("tls-tcp");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(up(a)).containsExactlyInAnyOrder(a.address(), b.address()));
            assertThat(identify(b, a)).as("a cluster member reaches an agent's actors").isTrue();

            Agent intruder = agents.start("h3", "default", "p2p", theirs);   // seeded at a, like b
            Thread.sleep(8000);   // four join attempts (seed-node-timeout 2 s)
            assertThat(up(a)).containsExactlyInAnyOrder(a.address(), b.address());
            assertThat(members(a)).doesNotContain(intruder.address());
            assertThat(up(intruder)).doesNotContain(a.address(), b.address());
            assertThat(identify(intruder, a)).as("the intruder reaches an agent's actors").isFalse();
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
