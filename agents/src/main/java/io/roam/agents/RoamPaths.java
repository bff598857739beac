package io.roam.agents;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where an agent keeps its files unless configured otherwise, by the user it runs as. Root:
 * {@code /run/roam} (the control API's token, the PCM socket: gone at boot) and
 * {@code /etc/roam/keys} (the cluster's TLS keys: kept). Another user: {@code
 * $XDG_RUNTIME_DIR/roam} when that directory exists, else {@code ~/.roam}, and {@code
 * ~/.roam/keys}. libpcm computes the same socket path ({@code pcm_agent.c}).
 */
public final class RoamPaths {
    /** The file name of the PCM socket in {@link #runtimeDir()}; %h is the agent's host name. */
    public static final String SOCKET_NAME = "agent-%h.sock";

    private RoamPaths() {
    }

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The directory of the token and the PCM socket. */
    public static Path runtimeDir() {
        if (root()) {
            return Path.of("/run/roam");
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
            return Path.of(runtime, "roam");
        }
        return Path.of(System.getProperty("user.home"), ".roam");
    }

    /** The PCM socket's path pattern when roam.agent.pcm.socket is "" (%h: the host name). */
    public static String defaultSocket() {
        return runtimeDir().resolve(SOCKET_NAME).toString();
    }

    /** The directory of the cluster's TLS keys when roam.agent.tls.key-dir is "". */
    public static Path defaultKeyDir() {
        return root() ? Path.of("/etc/roam/keys") : Path.of(System.getProperty("user.home"), ".roam", "keys");
    }

    /**
     * Creates {@code dir} if missing, its last component owner-only ({@code rwx------}); its
     * parents as the umask makes them. Another agent creating it at the same moment is fine.
     */
    static void createPrivateDir(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return;
        }
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        try {
            Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException raced) {
            // another agent made it
        }
    }
}
