package io.roam.heat.bench;

import io.roam.pcm.wire.PcmConnection;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.MigrationFailed;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One MPI job of {@code pcm_bench_migrate} (or its Java twin {@link JavaBenchMigrate}): two ranks, rank 1 holding the state, moved to
 * {@code localhost} again and again through the agent socket, exactly as the agent orders a
 * migration. This class is the agent: a {@link PcmServer} whose hooks order each new
 * registration of rank 1 to move, a settling pause after the previous move has finished
 * (its MIGRATION_DONE; for the first move, after rank 1 registered), with
 * {@code not_before_iteration} 0 so that the process acts at its next {@code PCM_Status}.
 * The phase times come from the MIGRATION_DONE messages. Across hosts ({@link #across}), mpirun
 * runs through a launcher (on a namespace host) with extra options, and the moves go to the
 * targets in turn; the pauses rank 0 saw are kept ({@link #pausesMs}).
 */
final class MigrationJob {
    private static final Pattern PAUSE = Pattern.compile("pcm_bench_migrate: pause move (\\d+) ns (\\d+)");

    /** The phases of one migration, in milliseconds, from one MIGRATION_DONE. */
    record Phases(long orderId, long stateBytes, double decideMs, double spawnMs, double mergeMs,
                  double transferMs, double totalMs) {
        static Phases of(MigrationDone d) {
            return new Phases(d.orderId(), d.stateBytes(), ms(d.tDecided() - d.tOrder()), ms(d.tSpawned() - d.tDecided()),
                    ms(d.tMerged() - d.tSpawned()), ms(d.tResumed() - d.tMerged()), ms(d.tResumed() - d.tOrder()));
        }

        /** Rate of the state transfer phase in GB/s (10^9 bytes per second). */
        double transferGBs() {
            return stateBytes / (transferMs * 1e6);
        }

        private static double ms(long ns) {
            return ns / 1e6;
        }
    }

    private final Proc proc;
    private final List<String> program;
    private final Path socket;
    private final Duration settle;
    private final Duration limit;
    private final List<String> launcher;
    private final List<String> mpiArgs;
    private final List<String> targets;
    private List<Double> pausesMs = List.of();

    /**
     * @param program the command of one rank: the built pcm_bench_migrate, or a JVM running JavaBenchMigrate
     * @param socket  the agent socket path to use (short: a Unix socket path)
     * @param settle  pause between the end of a migration and the next order
     * @param limit   the whole job's time limit; the job is ended after it
     */
    MigrationJob(Proc proc, List<String> program, Path socket, Duration settle, Duration limit) {
        this(proc, program, socket, settle, limit, List.of(), List.of(), List.of("localhost"));
    }

    private MigrationJob(Proc proc, List<String> program, Path socket, Duration settle, Duration limit,
                         List<String> launcher, List<String> mpiArgs, List<String> targets) {
        this.proc = proc;
        this.program = program;
        this.socket = socket;
        this.settle = settle;
        this.limit = limit;
        this.launcher = List.copyOf(launcher);
        this.mpiArgs = List.copyOf(mpiArgs);
        this.targets = List.copyOf(targets);
    }

    /**
     * The same job across hosts: mpirun started by {@code launcher} (a command prefix that runs it
     * on the first host), with {@code mpiArgs} (the launch agent, interfaces, host file), moving
     * rank 1 to each of {@code targets} in turn.
     */
    MigrationJob across(List<String> launcher, List<String> mpiArgs, List<String> targets) {
        return new MigrationJob(proc, program, socket, settle, limit, launcher, mpiArgs, targets);
    }

    /** The pauses rank 0 saw in the last {@link #run}, one per move in order, in ms. */
    List<Double> pausesMs() {
        return pausesMs;
    }

    /**
     * Runs one job with {@code mb} MiB of state and {@code moves} migrations of rank 1; returns
     * the phases of each, in order. Throws if a migration fails, the state arrives wrong, or the
     * job does not end cleanly in time. {@code env} is added to mpirun's environment (such as
     * {@code OMPI_MCA_*} settings, which mpirun passes on to every process it starts, spawned
     * replacements included).
     */
    List<Phases> run(int mb, int moves, Map<String, String> env) throws IOException, InterruptedException {
        List<String> failures = new CopyOnWriteArrayList<>();
        PcmRecorder recorder = new PcmRecorder();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-orders");
            t.setDaemon(true);
            return t;
        });
        AtomicLong orders = new AtomicLong();
        recorder.addHook((conn, msg) -> orderNextMove(conn, msg, moves, orders, timer, failures));
        Proc.Result result;
        try (PcmServer server = new PcmServer(socket, recorder, new PcmServer.Options("roam-bench", 0)).start()) {
            List<String> cmd = new ArrayList<>(launcher);
            cmd.addAll(Proc.mpirun(2, true));
            cmd.addAll(mpiArgs);
            // -m: a safety net; iterations take at least 1 ms, so the job ends itself within the limit
            cmd.addAll(List.of("-x", "ROAM_AGENT_SOCKET"));
            cmd.addAll(program);
            cmd.addAll(List.of("-s", Integer.toString(mb),
                    "-n", Integer.toString(moves), "-m", Long.toString(limit.toMillis() * 4 / 5)));
            Map<String, String> all = new HashMap<>(env);
            all.put("ROAM_AGENT_SOCKET", server.socketPath().toString());
            result = awaitJob(proc.start(cmd, all), failures);
        } finally {
            timer.shutdownNow();
        }
        String what = "migration job with " + mb + " MiB";
        if (result.err().contains("FAILED") || result.out().contains("FAILED")) {
            failures.add("the job reported a failure (see its output)");
        }
        if (failures.stream().anyMatch(f -> f.contains(STALLED))) {
            throw new Stalled(what + ": " + String.join("; ", failures), done(recorder));
        }
        if (!failures.isEmpty() || result.exit() != 0) {
            throw new IllegalStateException(what + ": " + String.join("; ", failures) + " (exit " + result.exit()
                    + ")\n--- stdout\n" + result.out() + "--- stderr\n" + result.err());
        }
        List<Phases> phases = done(recorder);
        long expectedBytes = ((long) mb << 20) + Long.BYTES;   // the state and the iteration counter
        if (phases.size() != moves || phases.stream().anyMatch(p -> p.stateBytes() != expectedBytes)) {
            throw new IllegalStateException(what + ": expected " + moves + " MIGRATION_DONE of " + expectedBytes
                    + " bytes, got " + phases + "\n--- stdout\n" + result.out() + "--- stderr\n" + result.err());
        }
        List<Double> pauses = new ArrayList<>();
        Matcher m = PAUSE.matcher(result.out());
        while (m.find()) {
            pauses.add(Long.parseLong(m.group(2)) / 1e6);
        }
        pausesMs = List.copyOf(pauses);
        return phases;
    }

    /** The moves done, in order. */
    private static List<Phases> done(PcmRecorder recorder) {
        return recorder.messages().stream().filter(MigrationDone.class::isInstance)
                .map(m -> Phases.of((MigrationDone) m)).sorted(Comparator.comparingLong(Phases::orderId)).toList();
    }

    /** What libpcm says when a spawn ran into ROAM_PCM_SPAWN_TIMEOUT_MS (pcm_migrate.c). */
    static final String STALLED = "Open MPI's start of a process there stalled";

    /**
     * A spawn onto the target host stalled (Open MPI 4.1.4 with PMIx 4.2 on mpirun's own host,
     * docs/architecture.md "A spawn that never completes"): libpcm refuses the host for the
     * rest of the job, so the job's remaining moves cannot happen; {@code done} are the moves
     * that did.
     */
    static final class Stalled extends IllegalStateException {
        private final transient List<Phases> done;

        Stalled(String message, List<Phases> done) {
            super(message);
            this.done = List.copyOf(done);
        }

        List<Phases> done() {
            return done;
        }
    }

    /** Waits for the job to end; ends it early (by pid) on a failure reported by the agent side or at the limit. */
    private Proc.Result awaitJob(Proc.Started job, List<String> failures) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!job.process().waitFor(200, TimeUnit.MILLISECONDS)) {
            if (!failures.isEmpty() || System.nanoTime() > deadline) {
                if (failures.isEmpty()) {
                    failures.add("the job did not end within " + limit);
                }
                Proc.kill(job.process());
                return job.result(-1);
            }
        }
        return job.result(job.process().exitValue());
    }

    /** The hook: after rank 1 registered (first move) or finished a move, order the next one. */
    private void orderNextMove(PcmConnection conn, PcmMessage msg, int moves, AtomicLong orders,
                               ScheduledExecutorService timer, List<String> failures) {
        if (msg instanceof MigrationFailed f) {
            failures.add("migration " + f.orderId() + " failed: " + f.message());
            return;
        }
        boolean firstRegistration = msg instanceof Register r && r.rank() == 1 && r.moves() == 0;
        boolean moved = msg instanceof MigrationDone d && d.rank() == 1;
        long done = conn.registration().map(Register::moves).orElse(0L);
        if ((firstRegistration || moved) && done < moves) {
            timer.schedule(() -> {
                try {
                    long order = orders.incrementAndGet();
                    conn.send(new Migrate(order, targets.get((int) ((order - 1) % targets.size())), 0));
                } catch (IOException e) {
                    failures.add("cannot send MIGRATE: " + e);
                }
            }, settle.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
