package io.roam.agents;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The control API's token: a random 256-bit value in an owner-only file
 * ({@code roam.agent.http.token-file}). The agent reads the file at start or creates it; the
 * {@code roam} commands read it and send it as {@code Authorization: Bearer <token>} with every
 * request that acts. Compared in constant time.
 */
public final class ControlToken {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{32,512}");
    private static final Set<PosixFilePermission> OTHERS = Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final Path file;
    private final byte[] digest;

    private ControlToken(Path file, String token) {
        this.file = file;
        this.digest = sha256(token);
    }

    /** Where the token lives unless configured: /run/roam/token for root, else the user's runtime dir, else ~/.roam. */
    public static Path defaultFile() {
        return RoamPaths.runtimeDir().resolve("token");
    }

    /**
     * The file a {@code roam} command reads when none is named: {@link #defaultFile()}; for a
     * user other than root who has none, root's ({@code /run/roam/token}) when root's agents
     * made that directory, so that the command says it needs root rather than that no token exists.
     */
    public static Path commandDefaultFile() {
        Path own = defaultFile();
        Path root = Path.of("/run/roam/token");
        return !own.equals(root) && !Files.exists(own) && Files.isDirectory(root.getParent()) ? root : own;
    }

    /** roam.agent.http.token-file, or {@link #defaultFile()} when it is "". */
    public static Path configuredFile(com.typesafe.config.Config root) {
        String f = root.getString("roam.agent.http.token-file").trim();
        return f.isEmpty() ? defaultFile() : Path.of(f);
    }

    /**
     * The agent's side: reads the token file, or creates it (mode 0600, its directory 0700 if
     * missing) with a new random token. Another agent creating it at the same moment is fine:
     * the file appears whole or not at all, and both use the one that won.
     *
     * @throws IllegalArgumentException naming the file and what to do, if it cannot be used
     */
    public static ControlToken loadOrCreate(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            RoamPaths.createPrivateDir(dir);
            PosixFileAttributes d = Files.readAttributes(dir, PosixFileAttributes.class);
            if (d.permissions().contains(PosixFilePermission.GROUP_WRITE)
                    || d.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
                throw bad(file, "its directory " + dir + " may be written by others ("
                        + PosixFilePermissions.toString(d.permissions()) + "); use a directory only its owner may"
                        + " write (chmod 700 " + dir + ")");
            }
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                create(file, dir);
            }
            checkOwnerOnly(file);
            return new ControlToken(file, read(file));
        } catch (IOException e) {
            throw bad(file, e.getClass().getSimpleName() + " " + e.getMessage());
        }
    }

    /**
     * The command line's side: the token in {@code file}.
     *
     * @throws IOException with one line saying what is wrong and what to do
     */
    public static String read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("no token file " + file + ": start the agent on this machine first (it writes"
                    + " it), or pass --token-file with a copy of the agent's token file");
        } catch (AccessDeniedException e) {
            throw new IOException("cannot read the token file " + file + " (permission denied): run this as the"
                    + " agent's user (root: sudo), or pass --token-file with a copy you may read");
        } catch (IOException e) {
            throw new IOException("cannot read the token file " + file + " (" + e.getClass().getSimpleName() + " "
                    + e.getMessage() + "): pass --token-file with a copy of the agent's token file");
        }
        String token = text.lines().findFirst().orElse("").trim();
        if (!TOKEN.matcher(token).matches()) {
            throw new IOException("the token file " + file + " holds no token (32 to 512 of [A-Za-z0-9_-] on its"
                    + " first line): delete it and restart the agent, which writes a new one");
        }
        return token;
    }

    public Path file() {
        return file;
    }

    /** Whether {@code presented} is the token; constant time. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    private static void create(Path file, Path dir) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        Path tmp = Files.createTempFile(dir, ".token-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, HexFormat.of().formatHex(random) + "\n");
            try {
                Files.createLink(file, tmp);   // atomic, and never replaces a token another agent wrote
            } catch (FileAlreadyExistsException raced) {
                // another agent's token won: use it
            } catch (UnsupportedOperationException | IOException noLinks) {
                if (!Files.exists(file)) {
                    Files.move(tmp, file);
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void checkOwnerOnly(Path file) throws IOException {
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw bad(file, "it is not a regular file; delete it and the agent writes a new one");
        }
        String me = System.getProperty("user.name");
        if (!a.owner().getName().equals(me)) {
            throw bad(file, "it belongs to " + a.owner().getName() + ", not to " + me + " who runs the agent");
        }
        if (a.permissions().stream().anyMatch(OTHERS::contains)) {
            throw bad(file, "others may read or write it (" + PosixFilePermissions.toString(a.permissions())
                    + "); chmod 600 " + file + ", or delete it and the agent writes a new one");
        }
    }

    private static IllegalArgumentException bad(Path file, String why) {
        return new IllegalArgumentException("roam.agent.http.token-file " + file + " cannot hold the control API's"
                + " token: " + why);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
