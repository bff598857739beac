package io.roam.agents;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.roam.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * {@code roam.agent.tls}: Artery over TLS with mutual authentication, on by default. Every
 * connection between agents is TLS 1.3 and both ends must present a certificate that the
 * other's trust store trusts, so an agent without the cluster's keys can neither join nor send
 * any message. The stores are PKCS#12 files sharing one password read from a file (never
 * from the configuration itself). Unless the three files are named, they are the set in
 * {@code key-dir}, created there by the first agent that starts without one ({@link ClusterKeys#ensure}).
 *
 * <p>Everything is checked at start: the files exist, open with the password, the key store
 * holds a private key and the trust store a certificate; a problem stops the agent naming the key.
 *
 * @param keyDir the directory of the default set, or null when the files are named
 * @param created whether this agent created the set in {@code keyDir}
 */
public record TlsSettings(boolean enabled, Path keyStore, Path trustStore, Path passwordFile, Path keyDir,
                          boolean created) {
    private static final String KEY = "roam.agent.tls";

    /** The settings of an agent whose certificate would be named for {@code host}; may create the key set. */
    public static TlsSettings from(Config root, String host) {
        Settings c = Settings.of(root, KEY);
        if (!c.flag("enabled")) {
            return new TlsSettings(false, null, null, null, null, false);
        }
        Path keyDir = null;
        boolean created = false;
        if (c.string("key-store").isBlank() && c.string("trust-store").isBlank() && c.string("password-file").isBlank()) {
            keyDir = keyDir(root);
            try {
                ClusterKeys.Ensured e = ClusterKeys.ensure(keyDir, ClusterKeys.safeName(host));
                keyDir = e.dir();
                created = e.created();
            } catch (IOException e) {
                throw new Settings.Invalid("invalid configuration " + KEY + ".key-dir = " + keyDir + ": "
                        + e.getMessage());
            }
            root = ConfigFactory.parseMap(Map.of(
                    KEY + ".key-store", keyDir.resolve(ClusterKeys.KEY_STORE).toString(),
                    KEY + ".trust-store", keyDir.resolve(ClusterKeys.TRUST_STORE).toString(),
                    KEY + ".password-file", keyDir.resolve(ClusterKeys.PASSWORD).toString())).withFallback(root);
            c = Settings.of(root, KEY);
        }
        Path passwordFile = file(c, "password-file");
        char[] password = password(passwordFile);
        Path keyStore = file(c, "key-store");
        Path trustStore = file(c, "trust-store");
        KeyStore keys = load(keyStore, password, "key-store");
        if (aliases(keys).stream().noneMatch(a -> isKey(keys, a))) {
            throw c.bad("key-store", keyStore, "a PKCS#12 file holding a private key");
        }
        KeyStore trusted = load(trustStore, password, "trust-store");
        if (aliases(trusted).isEmpty()) {
            throw c.bad("trust-store", trustStore, "a PKCS#12 file holding at least one certificate");
        }
        return new TlsSettings(true, keyStore, trustStore, passwordFile, keyDir, created);
    }

    /** roam.agent.tls.key-dir, or {@link RoamPaths#defaultKeyDir()} when it is "". */
    public static Path keyDir(Config root) {
        String d = root.getString(KEY + ".key-dir").trim();
        return d.isEmpty() ? RoamPaths.defaultKeyDir() : Path.of(d);
    }

    /** The line an agent logs at start about its keys (or their absence: a warning). */
    String startLine(String bind) {
        if (!enabled) {
            return KEY + ".enabled = false: the cluster runs without TLS, so whoever reaches " + bind + " can join it"
                    + " with an agent of their own, read it and steer it (docs/security.md); remove the setting to use"
                    + " the cluster's keys";
        }
        if (keyDir == null) {
            return "TLS with the key store " + keyStore + " and the trust store " + trustStore;
        }
        boolean isDefault = keyDir.equals(RoamPaths.defaultKeyDir().toAbsolutePath());
        String where = isDefault ? keyDir + " on every other node of the cluster"
                : "the same path on every other node of the cluster (roam.agent.tls.key-dir)";
        return (created ? "created the cluster's TLS keys in " + keyDir : "TLS with the cluster's keys in " + keyDir)
                + " (the agents of this machine share them): copy that directory to " + where
                + " before starting its agent, keeping its modes (scp -rp " + keyDir + " NODE:" + keyDir.getParent()
                + "/), or agents there cannot join";
    }

    /** The key managers of the key store, for TLS connections of our own (JoinCheck). */
    javax.net.ssl.KeyManager[] keyManagers() throws GeneralSecurityException {
        char[] password = password(passwordFile);
        var kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(keyStore, password, "key-store"), password);
        return kmf.getKeyManagers();
    }

    /** The trust manager of the trust store, for TLS connections of our own (JoinCheck). */
    javax.net.ssl.X509TrustManager trustManager() throws GeneralSecurityException {
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(trustStore, password(passwordFile), "trust-store"));
        for (javax.net.ssl.TrustManager t : tmf.getTrustManagers()) {
            if (t instanceof javax.net.ssl.X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** {@code root} with Artery switched to mutually authenticated TLS when enabled, else as it is. */
    public Config applyTo(Config root) {
        if (!enabled) {
            return root;
        }
        String password = new String(password(passwordFile));
        Map<String, Object> engine = Map.of(
                "key-store", keyStore.toString(),
                "trust-store", trustStore.toString(),
                "key-store-password", password,
                "key-password", password,
                "trust-store-password", password,
                "protocol", "TLSv1.3",
                "enabled-algorithms", List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"),
                "require-mutual-authentication", true);
        return ConfigFactory.empty()
                .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
                .withValue("pekko.remote.artery.ssl.config-ssl-engine", ConfigValueFactory.fromMap(engine))
                .withFallback(root);
    }

    private static List<String> aliases(KeyStore ks) {
        try {
            return Collections.list(ks.aliases());
        } catch (GeneralSecurityException e) {
            return List.of();
        }
    }

    private static boolean isKey(KeyStore ks, String alias) {
        try {
            return ks.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Path file(Settings c, String key) {
        String value = c.string(key);
        Path p = Path.of(value);
        if (value.isBlank() || !Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw c.bad(key, value.isBlank() ? "\"\"" : value, "a readable file (roam keys writes one)");
        }
        return p;
    }

    private static char[] password(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) {
                throw new Settings.Invalid(KEY + ".password-file", file, "a file holding the password");
            }
            return s.toCharArray();
        } catch (IOException e) {
            throw new Settings.Invalid(KEY + ".password-file", file, "a readable file: " + e.getMessage());
        }
    }

    private static KeyStore load(Path file, char[] password, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new Settings.Invalid(KEY + "." + key, file,
                    "a PKCS#12 file that opens with the password of password-file (" + e.getMessage() + ")");
        }
    }
}
