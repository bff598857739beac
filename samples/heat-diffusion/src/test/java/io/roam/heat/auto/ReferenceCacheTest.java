package io.roam.heat.auto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceCacheTest {
    @TempDir
    Path dir;

    private static List<String> cmd(String iterations, String out) {
        return List.of("mpirun", "-np", "2", "/x/heat-nopcm", "-r", "64", "-i", iterations, "-o", out, "-q");
    }

    @Test
    void theKeyIsTheCommandWithoutItsOutputFile() {
        assertThat(ReferenceCache.key(cmd("100", "/a/reference.bin"))).isEqualTo(ReferenceCache.key(cmd("100", "/b/r.bin")));
        assertThat(ReferenceCache.key(cmd("100", "/a/reference.bin"))).isNotEqualTo(ReferenceCache.key(cmd("101", "/a/reference.bin")));
    }

    @Test
    void aKeptGridComesBackForTheSameCommandOnly() throws Exception {
        ReferenceCache cache = ReferenceCache.at(dir.resolve("store"));
        Path grid = dir.resolve("grid.bin");
        Files.write(grid, new byte[] {1, 2, 3});
        Path to = dir.resolve("out.bin");
        assertThat(cache.fetch(cmd("100", "x"), to)).isFalse();
        cache.keep(cmd("100", "x"), grid);
        assertThat(cache.fetch(cmd("100", "y"), to)).isTrue();
        assertThat(Files.readAllBytes(to)).containsExactly(1, 2, 3);
        assertThat(cache.fetch(cmd("200", "y"), dir.resolve("other.bin"))).isFalse();
    }
}
