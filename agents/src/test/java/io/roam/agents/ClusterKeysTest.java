package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's default key set: created once, whole, owner-only, by the first of agents starting
 * together; used as it is afterwards; refused when half there or readable by others.
 */
class ClusterKeysTest {
    @TempDir
    Path dir;

    @Test
    void agentsStartingTogetherCreateOneSetAndAllUseIt() throws Exception {
        Path keys = dir.resolve("etc/roam/keys");
        int n = 6;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ClusterKeys.Ensured>> all = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                all.add(pool.submit((Callable<ClusterKeys.Ensured>) () -> {
                    go.await();
                    return ClusterKeys.ensure(keys, "node1");
                }));
            }
            go.countDown();
            int created = 0;
            for (Future<ClusterKeys.Ensured> f : all) {
                ClusterKeys.Ensured e = f.get();
                assertThat(e.dir()).isEqualTo(keys);
                created += e.created() ? 1 : 0;
            }
            assertThat(created).as("agents that created the set").isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        // the set, and beside it only the lock file: no temporary directory left
        assertThat(names(keys)).containsExactlyInAnyOrder(ClusterKeys.KEY_STORE, ClusterKeys.TRUST_STORE,
                ClusterKeys.PASSWORD, ClusterKeys.CERTIFICATE, ClusterKeys.CONFIG);
        assertThat(names(keys.getParent())).containsExactlyInAnyOrder("keys", ".keys.lock");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rwx------");
        for (String f : List.of(ClusterKeys.KEY_STORE, ClusterKeys.TRUST_STORE, ClusterKeys.PASSWORD)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve(f)))).as(f)
                    .isEqualTo("rw-------");
        }
        // tls.conf names the files where they are, not where they were written
        assertThat(Files.readString(keys.resolve(ClusterKeys.CONFIG))).contains(keys.resolve("cluster.p12").toString())
                .doesNotContain(".keys-");
        // the trust store trusts the key store's certificate, and the agent's settings accept the set
        char[] pw = Files.readString(keys.resolve(ClusterKeys.PASSWORD)).strip().toCharArray();
        KeyStore k = load(keys.resolve(ClusterKeys.KEY_STORE), pw);
        KeyStore t = load(keys.resolve(ClusterKeys.TRUST_STORE), pw);
        assertThat(t.getCertificateAlias(k.getCertificate("roam"))).isNotNull();
        TlsSettings tls = TlsSettings.from(ConfigFactory.parseString("roam.agent.tls.key-dir = \"" + keys + "\"")
                .withFallback(ConfigFactory.defaultReference()), "node1");
        assertThat(tls.enabled()).isTrue();
        assertThat(tls.created()).isFalse();
        assertThat(tls.keyStore()).isEqualTo(keys.resolve(ClusterKeys.KEY_STORE));
        assertThat(tls.startLine(null)).startsWith("TLS with the cluster's keys in " + keys);
    }

    @Test
    void aHalfSetOrAPasswordOthersMayReadIsRefusedSayingWhatToDo() throws Exception {
        Path half = dir.resolve("half");
        Files.createDirectories(half);
        Files.writeString(half.resolve(ClusterKeys.PASSWORD), "x\n");
        assertThatThrownBy(() -> ClusterKeys.ensure(half, "n")).isInstanceOf(IOException.class)
                .hasMessageContaining(half + " holds some files but not the whole key set")
                .hasMessageContaining("remove it");
        assertThat(names(half)).containsExactly(ClusterKeys.PASSWORD);

        Path loose = dir.resolve("loose");
        assertThat(ClusterKeys.ensure(loose, "n").created()).isTrue();
        Files.setPosixFilePermissions(loose.resolve(ClusterKeys.PASSWORD), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ClusterKeys.ensure(loose, "n")).hasMessageContaining("may be read by others")
                .hasMessageContaining("chmod 600");
        assertThatThrownBy(() -> TlsSettings.from(ConfigFactory.parseString("roam.agent.tls.key-dir = \"" + loose
                + "\"").withFallback(ConfigFactory.defaultReference()), "n"))
                .hasMessageStartingWith("invalid configuration roam.agent.tls.key-dir = " + loose);
        Files.setPosixFilePermissions(loose.resolve(ClusterKeys.PASSWORD), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> ClusterKeys.ensure(loose, "n")).hasMessageContaining("may be written by others")
                .hasMessageContaining("chmod 700");
    }

    @Test
    void withoutTlsNoKeysAreMadeAndTheStartLineWarns() {
        Path keys = dir.resolve("never");
        TlsSettings off = TlsSettings.from(ConfigFactory.parseString("roam.agent.tls { enabled = false, key-dir = \""
                + keys + "\" }").withFallback(ConfigFactory.defaultReference()), "n");
        assertThat(off.enabled()).isFalse();
        assertThat(keys).doesNotExist();
        assertThat(off.startLine("10.0.0.1:2552")).startsWith("roam.agent.tls.enabled = false: the cluster runs"
                + " without TLS, so whoever reaches 10.0.0.1:2552 can join it");
    }

    @Test
    void theDefaultKeyDirectoryIsRootsUnderEtcElseTheUsersOwn() {
        if ("root".equals(System.getProperty("user.name"))) {
            assertThat(RoamPaths.defaultKeyDir()).isEqualTo(Path.of("/etc/roam/keys"));
            assertThat(RoamPaths.defaultSocket()).isEqualTo("/run/roam/agent-%h.sock");
        } else {
            assertThat(RoamPaths.defaultKeyDir().toString()).endsWith("/.roam/keys");
            assertThat(RoamPaths.defaultSocket()).endsWith("/roam/agent-%h.sock");
        }
    }

    private static KeyStore load(Path p, char[] pw) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p)) {
            ks.load(in, pw);
        }
        return ks;
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
