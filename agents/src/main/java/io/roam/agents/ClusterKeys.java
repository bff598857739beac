package io.roam.agents;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A cluster's TLS files: one EC P-256 key pair and its self-signed certificate, shared by the
 * cluster's agents ({@code cluster.p12}, made by the JDK's {@code keytool}), the trust store
 * that trusts it ({@code trust.p12}), their password ({@code password}, owner-only, never on a
 * command line), the certificate ({@code cluster.crt}) and {@code tls.conf}, the configuration
 * that names them. Another set is another cluster, whose agents the first one's refuse.
 *
 * <p>{@code roam keys} writes a set into a directory of the operator's choice ({@link #generate});
 * an agent started without keys creates its default set ({@link #ensure}): agents starting at
 * the same moment on one machine end up with the same set.
 */
public final class ClusterKeys {
    public static final String KEY_STORE = "cluster.p12";
    public static final String TRUST_STORE = "trust.p12";
    public static final String PASSWORD = "password";
    public static final String CONFIG = "tls.conf";
    public static final String CERTIFICATE = "cluster.crt";
    /** Days the certificate of a set an agent creates is valid. */
    public static final int DEFAULT_VALIDITY_DAYS = 3650;
    private static final List<String> FILES = List.of(KEY_STORE, TRUST_STORE, PASSWORD);
    private static final Object JVM_LOCK = new Object();

    /** The outcome of {@link #ensure}: the set's directory, and whether this call created it. */
    public record Ensured(Path dir, boolean created) {
    }

    private ClusterKeys() {
    }

    /**
     * {@code roam keys}: writes a set into {@code dir} (created owner-only if missing; existing
     * files are never overwritten) and returns the path of {@code tls.conf}.
     */
    public static Path generate(Path dir, String clusterName, int validityDays) throws IOException {
        checkName(clusterName);
        checkValidity(validityDays);
        RoamPaths.createPrivateDir(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        for (String f : List.of(KEY_STORE, TRUST_STORE, PASSWORD, CONFIG, CERTIFICATE)) {
            if (Files.exists(dir.resolve(f))) {
                throw new IOException(dir.resolve(f) + " exists: remove it or choose another directory");
            }
        }
        write(dir, clusterName, validityDays);
        return writeConfig(dir, dir, clusterName);
    }

    /**
     * The agent's default keys: uses the set in {@code dir} if it is complete, else creates it.
     * A new set is written into a temporary directory beside {@code dir} and renamed to it in
     * one step, under a lock file beside it ({@code .NAME.lock}), so that agents starting
     * together (in this JVM or in other processes) never see half a set: the first creates it,
     * the others wait for the lock and use that one.
     *
     * @throws IOException with one line saying what is wrong with {@code dir} and what to do
     */
    public static Ensured ensure(Path dir, String clusterName) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (complete(abs)) {
            checkPrivate(abs);
            return new Ensured(abs, false);
        }
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        Path lockFile = parent.resolve("." + abs.getFileName() + ".lock");
        synchronized (JVM_LOCK) {   // a FileLock is per process: threads of one JVM queue here
            try (FileChannel ch = FileChannel.open(lockFile, java.util.Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rw-------")));
                 FileLock lock = ch.lock()) {
                if (complete(abs)) {
                    checkPrivate(abs);
                    return new Ensured(abs, false);
                }
                if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && !emptyDirectory(abs)) {
                    throw new IOException(abs + " holds some files but not the whole key set (" + String.join(", ",
                            FILES) + "): complete it with the cluster's keys from another node, or remove it and"
                            + " the agent creates a new set");
                }
                Path tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + "-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                try {
                    write(tmp, clusterName, DEFAULT_VALIDITY_DAYS);
                    writeConfig(tmp, abs, clusterName);
                    Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                    if (!complete(abs)) {
                        throw raced;
                    }
                    return new Ensured(abs, false);   // another machine's process on a shared directory won
                } finally {
                    deleteTree(tmp);
                }
                checkPrivate(abs);
                return new Ensured(abs, true);
            }
        }
    }

    /** Whether {@code dir} holds the key store, the trust store and the password. */
    public static boolean complete(Path dir) {
        return FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    /** A name for a certificate from any text: [A-Za-z0-9._-], at most 64. */
    public static String safeName(String s) {
        String n = s.replaceAll("[^A-Za-z0-9._-]", "-");
        n = n.length() > 64 ? n.substring(0, 64) : n;
        return n.isEmpty() ? "roam" : n;
    }

    /**
     * The key directory is its user's alone: owned by the agent's user, nobody else may write
     * it, and nobody else may read the password.
     */
    static void checkPrivate(Path dir) throws IOException {
        String me = System.getProperty("user.name");
        PosixFileAttributes d = Files.readAttributes(dir, PosixFileAttributes.class);
        if (!d.owner().getName().equals(me)) {
            throw new IOException(dir + " belongs to " + d.owner().getName() + ", not to " + me
                    + " who runs the agent: run the agent as " + d.owner().getName() + ", or chown -R " + me + " " + dir);
        }
        if (d.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || d.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(dir + " may be written by others (" + PosixFilePermissions.toString(d.permissions())
                    + "): chmod 700 " + dir);
        }
        Path pw = dir.resolve(PASSWORD);
        var p = Files.getPosixFilePermissions(pw);
        if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
            throw new IOException(pw + " may be read by others (" + PosixFilePermissions.toString(p) + "): chmod 600 "
                    + pw + " (copy the directory with scp -rp or cp -a, which keep the modes)");
        }
    }

    private static void checkValidity(int validityDays) {
        if (validityDays < 1 || validityDays > 36500) {
            throw new IllegalArgumentException("validity must be 1 to 36500 days, was " + validityDays);
        }
    }

    private static void checkName(String clusterName) {
        if (!clusterName.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("cluster name must be 1 to 64 of [A-Za-z0-9._-], was " + clusterName);
        }
    }

    /** The password, the key store (keytool), the certificate and the trust store, owner-only. */
    private static void write(Path dir, String clusterName, int validityDays) throws IOException {
        checkValidity(validityDays);
        checkName(clusterName);
        var ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        Path password = dir.resolve(PASSWORD);
        Files.createFile(password, ownerOnly);
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String pass = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Files.writeString(password, pass + "\n");
        keytool(dir, "-genkeypair", "-alias", "roam", "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=roam cluster " + clusterName,
                "-validity", Integer.toString(validityDays), "-keystore", KEY_STORE, "-storetype", "PKCS12",
                "-storepass:file", PASSWORD);
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve(KEY_STORE))) {
                keys.load(in, pass.toCharArray());
            }
            Certificate cert = keys.getCertificate("roam");
            Files.writeString(dir.resolve(CERTIFICATE), "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("roam-cluster", cert);
            Files.createFile(dir.resolve(TRUST_STORE), ownerOnly);
            try (OutputStream out = Files.newOutputStream(dir.resolve(TRUST_STORE))) {
                trust.store(out, pass.toCharArray());
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the trust store: " + e.getMessage(), e);
        }
        Files.setPosixFilePermissions(dir.resolve(KEY_STORE), PosixFilePermissions.fromString("rw-------"));
    }

    /** {@code tls.conf} in {@code dir}, naming the files by their final place {@code finalDir}. */
    private static Path writeConfig(Path dir, Path finalDir, String clusterName) throws IOException {
        Path abs = finalDir.toAbsolutePath();
        Path conf = dir.resolve(CONFIG);
        Files.writeString(conf, String.join("\n",
                "# The TLS keys of the cluster " + clusterName + ": start each of its agents with",
                "# roam agent --config " + abs.resolve(CONFIG) + " (after copying this directory to its node)",
                "roam.agent.tls {",
                "  enabled = true",
                "  key-store = " + quote(abs.resolve(KEY_STORE)),
                "  trust-store = " + quote(abs.resolve(TRUST_STORE)),
                "  password-file = " + quote(abs.resolve(PASSWORD)),
                "}", ""), StandardCharsets.UTF_8);
        return abs.resolve(CONFIG);
    }

    private static boolean emptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
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
