package io.roam.heat;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** Where MPI is, and the mpirun command line every test starts from. */
final class Mpi {
    private Mpi() {
    }

    static Optional<Path> onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Skips the calling test when mpirun is missing outside CI (saying why); in CI
     * (the {@code CI} variable set) a missing MPI is a failure, never a skip.
     */
    static Path requireMpirun() {
        Optional<Path> mpirun = onPath("mpirun");
        if (mpirun.isEmpty()) {
            String why = "mpirun not found on PATH: install Open MPI (make deps)";
            if (System.getenv("CI") != null) {
                fail("CI is set and " + why);
            }
            Assumptions.abort(why + "; MPI tests are skipped outside CI only");
        }
        return mpirun.get();
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** mpirun with the options every Roam job needs on this kind of machine. */
    static List<String> mpirun(int ranks) {
        List<String> cmd = new ArrayList<>();
        cmd.add(requireMpirun().toString());
        if (isRoot()) {
            cmd.add("--allow-run-as-root");
        }
        cmd.addAll(List.of("--oversubscribe", "-np", Integer.toString(ranks),
                // the departing process of a migration exits before the job ends
                "--mca", "orte_allowed_exit_without_sync", "1",
                // ob1 (shared memory and TCP) instead of UCX: spawning a replacement
                // takes about 27 ms instead of 230 ms (UCX initialization)
                "--mca", "pml", "ob1"));
        return cmd;
    }

    /**
     * The command of a Java rank: this JVM's {@code java}, small heaps (several JVMs share two
     * cores), {@code -Xcheck:jni}, and a class path of the PCM binding, the wire module it takes its error codes from, and the sample (their
     * class directories or jars, wherever this JVM loaded them from).
     */
    static List<String> java(Class<?> main) {
        String jvm = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = String.join(java.io.File.pathSeparator, location(io.roam.pcm.Pcm.class),
                location(io.roam.pcm.wire.PcmErrors.class), location(main));
        return List.of(jvm, "-Xcheck:jni", "-Xmx256m", "-Xss1m", "-XX:+UseSerialGC", "-XX:CICompilerCount=2",
                "-XX:-UsePerfData", "-cp", cp, main.getName());
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path heatBinary(String name) {
        Path dir = Path.of(System.getProperty("roam.heat.bin", "target/native"));
        Path bin = dir.resolve(name).toAbsolutePath();
        if (!Files.isExecutable(bin)) {
            fail("the heat sample is not built: " + bin + " (run the Maven build)");
        }
        return bin;
    }
}
