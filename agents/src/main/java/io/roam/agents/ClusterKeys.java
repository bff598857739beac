package io.roam.agents;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes a test cluster's TLS files with the JDK's {@code keytool}: one EC P-256 key pair and
 * its self-signed certificate, shared by the cluster's agents ({@code cluster.p12}), the trust
 * store that trusts it ({@code trust.p12}), their password ({@code password}, owner-only, never
 * on a command line) and {@code tls.conf}, the configuration that turns TLS on with them.
 * Another run writes another cluster, whose agents the first one's refuse.
 */
public final class ClusterKeys {
    public static final String KEY_STORE = "cluster.p12";
    public static final String TRUST_STORE = "trust.p12";
    public static final String PASSWORD = "password";
    public static final String CONFIG = "tls.conf";

    private ClusterKeys() {
    }

    /**
     * Writes the files into {@code dir} (created owner-only if missing; existing cluster files
     * are never overwritten) and returns the path of {@code tls.conf}.
     */
    public static Path generate(Path dir, String clusterName, int validityDays) throws IOException {
        if (validityDays < 1 || validityDays > 36500) {
            throw new IllegalArgumentException("validity must be 1 to 36500 days, was " + validityDays);
        }
        if (!clusterName.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("cluster name must be 1 to 64 of [A-Za-z0-9._-], was " + clusterName);
        }
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        for (String f : List.of(KEY_STORE, TRUST_STORE, PASSWORD, CONFIG, "cluster.crt")) {
            if (Files.exists(dir.resolve(f))) {
                throw new IOException(dir.resolve(f) + " exists: remove it or choose another directory");
            }
        }
        Path password = dir.resolve(PASSWORD);
        Files.createFile(password, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        Files.writeString(password, Base64.getUrlEncoder().withoutPadding().encodeToString(secret) + "\n");

        String pass = "-storepass:file";
        keytool(dir, "-genkeypair", "-alias", "roam", "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=roam cluster " + clusterName,
                "-validity", Integer.toString(validityDays), "-keystore", KEY_STORE, "-storetype", "PKCS12",
                pass, PASSWORD);
        keytool(dir, "-exportcert", "-alias", "roam", "-keystore", KEY_STORE, pass, PASSWORD, "-file", "cluster.crt");
        keytool(dir, "-importcert", "-noprompt", "-alias", "roam-cluster", "-file", "cluster.crt",
                "-keystore", TRUST_STORE, "-storetype", "PKCS12", pass, PASSWORD);
        for (String f : List.of(KEY_STORE, TRUST_STORE)) {
            Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-------"));
        }
        Path abs = dir.toAbsolutePath();
        Path conf = dir.resolve(CONFIG);
        Files.writeString(conf, String.join("\n",
                "# Written by `roam keys` for the test cluster " + clusterName + ": start each of its agents with",
                "# roam agent --config " + conf.toAbsolutePath() + " (after copying this directory to its node)",
                "roam.agent.tls {",
                "  enabled = true",
                "  key-store = " + quote(abs.resolve(KEY_STORE)),
                "  trust-store = " + quote(abs.resolve(TRUST_STORE)),
                "  password-file = " + quote(abs.resolve(PASSWORD)),
                "}", ""), StandardCharsets.UTF_8);
        return conf;
    }

    private static String quote(Path p) {
        return "\"" + p.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void keytool(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
    }
}
