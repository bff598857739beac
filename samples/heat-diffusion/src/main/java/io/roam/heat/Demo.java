package io.roam.heat;

import io.roam.pcm.wire.PcmErrors;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.MigrationFailed;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The heat-diffusion demo: runs the C sample under mpirun with an agent socket, moves two
 * ranks while it runs (rank 2 at 20 % of the iterations, rank 0 at 60 %), prints each
 * migration's phases, then runs the same job without migration and compares the checksums.
 *
 * <pre>java -cp ... io.roam.heat.Demo [--ranks 4] [--rows 1024] [--cols 1024] [--iterations 3000]
 *          [--bin DIR] [--target-host localhost]</pre>
 */
public final class Demo {
    private static final Pattern CHECKSUM = Pattern.compile("checksum ([0-9a-f]{16})");

    private int ranks = 4;
    private int rows = 1024;
    private int cols = 1024;
    private int iterations = 3000;
    private Path bin = Path.of("samples/heat-diffusion/target/native");
    private String targetHost = "localhost";

    public static void main(String[] args) throws Exception {
        Demo demo = new Demo();
        demo.parse(args);
        System.exit(demo.run());
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--ranks" -> ranks = positive(args[i], v);
                case "--rows" -> rows = positive(args[i], v);
                case "--cols" -> cols = positive(args[i], v);
                case "--iterations" -> iterations = positive(args[i], v);
                case "--bin" -> bin = Path.of(required(args[i], v));
                case "--target-host" -> targetHost = required(args[i], v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (allowed: --ranks --rows --cols --iterations --bin --target-host)");
            }
            i++;
        }
        if (ranks < 2 || ranks > rows) {
            throw new IllegalArgumentException("--ranks must be between 2 and --rows (" + rows + "), was " + ranks);
        }
    }

    private int run() throws Exception {
        Path dir = Files.createTempDirectory("roam-demo-");
        PcmRecorder agent = new PcmRecorder();
        int movingRank = Math.min(2, ranks - 1);
        long first = iterations / 5;
        long second = iterations * 3L / 5;
        agent.addHook((conn, msg) -> {
            if (msg instanceof Register r && r.moves() == 0 && r.rank() == movingRank) {
                conn.send(new Migrate(1, targetHost, first));
            } else if (msg instanceof Register r && r.moves() == 0 && r.rank() == 0 && movingRank != 0) {
                conn.send(new Migrate(2, targetHost, second));
            }
            report(msg, conn.registration().map(Register::host).orElse("?"));
        });
        System.out.printf("demo: %d ranks, grid %dx%d, %d iterations; rank %d moves to %s at iteration %d, "
                + "rank 0 at %d%n", ranks, rows, cols, iterations, movingRank, targetHost, first, second);
        String migrated;
        try (PcmServer server = new PcmServer(dir.resolve("agent.sock"), agent,
                new PcmServer.Options("demo-agent", 1000)).start()) {
            migrated = runJob(dir.resolve("migrating"), server.socketPath().toString());
        }
        System.out.println("demo: the same job without migration, for comparison");
        String plain = runJob(dir.resolve("plain"), "none");
        long done = agent.messages().stream().filter(MigrationDone.class::isInstance).count();
        boolean same = migrated.equals(plain);
        System.out.printf("demo: %d migrations done; checksum with migrations %s, without %s: %s%n", done,
                migrated, plain, same ? "bit-exact" : "DIFFERENT");
        return same && done == 2 ? 0 : 1;
    }

    private static void report(PcmMessage msg, String host) {
        if (msg instanceof MigrationDone d) {
            System.out.printf(Locale.ROOT, "demo: rank %d moved from %s to %s with %.1f MB of state: "
                    + "spawn %.1f ms, merge %.1f ms, rest of the state %.1f ms; decided to resumed %.1f ms%n",
                    d.rank(), d.sourceHost(), host, d.stateBytes() / 1e6, ms(d.tDecided(), d.tSpawned()),
                    ms(d.tSpawned(), d.tMerged()), ms(d.tMerged(), d.tResumed()),
                    ms(d.tDecided(), d.tResumed()));
        } else if (msg instanceof MigrationFailed f) {
            System.out.printf("demo: migration %d failed: %s %s%n", f.orderId(), PcmErrors.name(f.code()), f.message());
        }
    }

    private static double ms(long from, long to) {
        return (to - from) / 1e6;
    }

    private String runJob(Path dir, String socket) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of("mpirun", "--oversubscribe", "-np", Integer.toString(ranks),
                "--mca", "orte_allowed_exit_without_sync", "1", "--mca", "pml", "ob1", "-x", "ROAM_AGENT_SOCKET"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.add(1, "--allow-run-as-root");
        }
        cmd.addAll(List.of(bin.resolve("heat").toAbsolutePath().toString(), "-r", Integer.toString(rows),
                "-c", Integer.toString(cols), "-i", Integer.toString(iterations)));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("ROAM_AGENT_SOCKET", socket);
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        try (var reader = p.inputReader()) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println("  | " + line);
                out.append(line).append('\n');
            }
        }
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("mpirun failed: " + String.join(" ", cmd));
        }
        Matcher m = CHECKSUM.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no checksum in the output of " + String.join(" ", cmd));
        }
        return m.group(1);
    }

    private static String required(String opt, String v) {
        if (v == null) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return v;
    }

    private static int positive(String opt, String v) {
        try {
            int n = Integer.parseInt(required(opt, v));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(opt + " must be a positive integer, was " + v);
    }
}
