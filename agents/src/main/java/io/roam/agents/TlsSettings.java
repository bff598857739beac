package io.roam.agents;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
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
 * {@code roam.agent.tls}: Artery over TLS with mutual authentication. When enabled, every
 * connection between agents is TLS 1.3 and both ends must present a certificate that the
 * other's trust store trusts, so an agent without the cluster's keys can neither join nor send
 * any message. The stores are PKCS#12 files sharing one password read from a file (never
 * from the configuration itself); {@code roam keys} writes all three for a test cluster.
 *
 * <p>Everything is checked at start: the files exist, open with the password, the key store
 * holds a private key and the trust store a certificate; a problem stops the agent naming the key.
 */
public record TlsSettings(boolean enabled, Path keyStore, Path trustStore, Path passwordFile) {
    private static final String KEY = "roam.agent.tls";

    public static TlsSettings from(Config root) {
        Config c = root.getConfig(KEY);
        try {
            if (!c.getBoolean("enabled")) {
                return new TlsSettings(false, null, null, null);
            }
            Path passwordFile = file(c, "password-file");
            char[] password = password(passwordFile);
            Path keyStore = file(c, "key-store");
            Path trustStore = file(c, "trust-store");
            KeyStore keys = load(keyStore, password, "key-store");
            if (aliases(keys).stream().noneMatch(a -> isKey(keys, a))) {
                throw new AgentSettings.InvalidSetting(KEY + ".key-store", keyStore, "a PKCS#12 file holding a private key");
            }
            KeyStore trusted = load(trustStore, password, "trust-store");
            if (aliases(trusted).isEmpty()) {
                throw new AgentSettings.InvalidSetting(KEY + ".trust-store", trustStore,
                        "a PKCS#12 file holding at least one certificate");
            }
            return new TlsSettings(true, keyStore, trustStore, passwordFile);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
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

    private static Path file(Config c, String key) {
        String value = c.getString(key);
        Path p = Path.of(value);
        if (value.isBlank() || !Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new AgentSettings.InvalidSetting(KEY + "." + key, value.isBlank() ? "\"\"" : value,
                    "a readable file (roam keys writes one)");
        }
        return p;
    }

    private static char[] password(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) {
                throw new AgentSettings.InvalidSetting(KEY + ".password-file", file, "a file holding the password");
            }
            return s.toCharArray();
        } catch (IOException e) {
            throw new AgentSettings.InvalidSetting(KEY + ".password-file", file, "a readable file: " + e.getMessage());
        }
    }

    private static KeyStore load(Path file, char[] password, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new AgentSettings.InvalidSetting(KEY + "." + key, file,
                    "a PKCS#12 file that opens with the password of password-file (" + e.getMessage() + ")");
        }
    }
}
