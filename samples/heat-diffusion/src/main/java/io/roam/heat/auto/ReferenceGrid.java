package io.roam.heat.auto;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The bit-exact check of the demos: the same heat command without Roam (heat-nopcm under plain
 * mpirun, on namespace host 2 of the demo's hosts), its final grid compared byte for byte with
 * the grid of the run under Roam. The grid does not depend on the decomposition, so a run that
 * was resized compares with a reference of its starting size.
 */
final class ReferenceGrid {
    private ReferenceGrid() {
    }

    /**
     * Runs (or takes from {@link ReferenceCache}) the reference of {@code heatArgs} on
     * {@code ranks} processes, on host 2 of {@code prefix} with its quota raised to a core per
     * rank, at most the machine's (its grid does not depend on its speed, and the job under Roam
     * has ended: the quota the job's hosts had made the grow demo's reference take 63 of its
     * 160 s; the host's CPU weight keeps its share on a busy machine, where outside the hosts,
     * beside a CI run, it took 2 to 3 minutes), writing reference.bin and
     * reference.log in {@code out}; whether its grid equals {@code grid}. Says what it does
     * through {@code say}.
     */
    static boolean matches(Path repo, String prefix, Path out, Path bin, int ranks, List<String> heatArgs, Path grid,
                           Consumer<String> say) throws Exception {
        String cores = Integer.toString(Math.min(ranks, Runtime.getRuntime().availableProcessors()));
        Path ref = out.resolve("reference.bin");
        List<String> mpirun = new ArrayList<>(List.of("mpirun", "--oversubscribe", "--mca", "pml", "ob1", "-np",
                Integer.toString(ranks), bin.resolve("heat-nopcm").toString()));
        mpirun.addAll(heatArgs);
        mpirun.addAll(List.of("-o", ref.toString(), "-q"));
        Optional<ReferenceCache> cache = ReferenceCache.fromEnvironment();
        if (cache.isPresent() && cache.get().fetch(mpirun, ref)) {
            say.accept("reference grid of the same command kept by an earlier run (ROAM_DEMO_REFERENCE_CACHE)");
        } else {
            Path script = repo.resolve("scripts/netns-hosts.sh");
            say.accept("reference run without Roam (heat-nopcm " + String.join(" ", heatArgs) + " on " + ranks
                    + " ranks, plain mpirun, on host 2 given " + cores + " cores) for the bit-exact check ...");
            new ProcessBuilder("bash", script.toString(), "cpu", prefix, "2", cores).inheritIO().start().waitFor();
            List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), "exec", prefix, "2"));
            cmd.addAll(mpirun);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(out.resolve("reference.log").toFile()).start();
            if (p.waitFor() != 0 || !Files.exists(ref)) {
                say.accept("no grid to compare (reference exit " + p.exitValue() + ", its grid " + Files.exists(ref)
                        + ")");
                return false;
            }
            if (cache.isPresent()) {
                cache.get().keep(mpirun, ref);
            }
        }
        if (!Files.exists(grid)) {
            say.accept("no grid to compare (the run under Roam wrote none: " + grid + ")");
            return false;
        }
        boolean same = java.util.Arrays.equals(Files.readAllBytes(ref), Files.readAllBytes(grid));
        say.accept("final grid " + (same ? "is bit-identical to" : "DIFFERS from") + " the reference run's ("
                + Files.size(ref) + " bytes)");
        return same;
    }
}
