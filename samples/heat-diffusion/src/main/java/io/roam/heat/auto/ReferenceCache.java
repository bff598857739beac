package io.roam.heat.auto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Reference grids (heat-nopcm under plain mpirun) kept in a directory for runs with the same
 * command: the reference of a given grid, iteration count and rank count is always the same
 * bytes, so the runs of a test class compute it once ({@code ROAM_DEMO_REFERENCE_CACHE=DIR};
 * unset, nothing is kept). The key is a hash of the whole command, binary path included.
 */
final class ReferenceCache {
    private final Path dir;

    private ReferenceCache(Path dir) {
        this.dir = dir;
    }

    /** The cache named by the environment, or none. */
    static Optional<ReferenceCache> fromEnvironment() {
        String d = System.getenv("ROAM_DEMO_REFERENCE_CACHE");
        return d == null || d.isBlank() ? Optional.empty() : Optional.of(at(Path.of(d)));
    }

    /** A cache in {@code dir} (made when the first grid is kept). */
    static ReferenceCache at(Path dir) {
        return new ReferenceCache(dir);
    }

    /** Copies the kept grid of this command to {@code to}; false if none is kept. */
    boolean fetch(List<String> command, Path to) throws IOException {
        Path kept = dir.resolve(key(command));
        if (!Files.isRegularFile(kept)) {
            return false;
        }
        Files.copy(kept, to, StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    /** Keeps {@code grid} as the reference of this command (written whole, then renamed). */
    void keep(List<String> command, Path grid) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "grid", ".tmp");
        Files.copy(grid, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, dir.resolve(key(command)), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The command without its output file (the last "-o FILE" pair differs per run). */
    static String key(List<String> command) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).equals("-o") && i + 1 < command.size()) {
                i++;
                continue;
            }
            sb.append(command.get(i)).append('\0');
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 16) + ".bin";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
