package io.roam.heat;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository the tests run in (scripts, bin/roam), found above the module. */
final class RepoFiles {
    private RepoFiles() {
    }

    static Path find(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve(relative);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
