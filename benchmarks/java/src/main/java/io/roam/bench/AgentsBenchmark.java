package io.roam.bench;

import static io.roam.bench.BenchSupport.awaitReachable;
import static io.roam.bench.BenchSupport.cpuTicks;
import static io.roam.bench.BenchSupport.freePort;
import static io.roam.bench.BenchSupport.machine;
import static io.roam.bench.BenchSupport.median;
import static io.roam.bench.BenchSupport.reachable;
import static io.roam.bench.BenchSupport.rssKb;
import static io.roam.bench.BenchSupport.startAgent;
import static io.roam.bench.BenchSupport.stats;
import static io.roam.bench.BenchSupport.stop;

import io.roam.bench.BenchSupport.Setting;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmMessage.Heartbeat;
import io.roam.pcm.wire.PcmMessage.Register;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * benchmarks/agents.sh: time for N agent JVMs on this machine to be all Up (default and
 * tuned settings), and the idle cost of one agent with 8 registered processes. Writes
 * Markdown to the file given as the first argument.
 */
public final class AgentsBenchmark {
    static final Setting DEFAULT = new Setting("default", List.of("-Xmx256m"), List.of());
    /** Class data sharing archive of the agent's classes, made once per run by a training agent. */
    static Path archive;

    static Setting tuned() {
        return new Setting("tuned", List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-XX:CICompilerCount=1", "-XX:SharedArchiveFile=" + archive), TUNED_CONFIG);
    }

    static final List<String> TUNED_CONFIG =
            List.of("-Dpekko.cluster.gossip-interval=200ms", "-Dpekko.cluster.leader-actions-interval=200ms",
                    "-Dpekko.cluster.seed-node-timeout=1s", "-Dpekko.cluster.retry-unsuccessful-join-after=500ms",
                    "-Dpekko.cluster.periodic-tasks-initial-delay=100ms");

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "benchmarks/results/agents.md");
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Files.createTempDirectory("roam-agents-bench-");
        archive = train(work);
        StringBuilder md = new StringBuilder();
        md.append("# Agents benchmark\n\nWritten by `benchmarks/agents.sh`; rerun it rather than edit this file.\n\n");
        md.append("| | |\n|---|---|\n| date | ").append(Instant.now()).append(" |\n| machine | ")
                .append(machine())
                .append(" |\n| Java | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append(" |\n| reproduce | `benchmarks/agents.sh` (after `make`) |\n\n");
        md.append("## Time until N agents are all Up\n\nN agent JVMs (`roam agent`, loopback, the first is the seed) "
                + "started at once; the clock stops when the seed's control API lists N reachable nodes. Median "
                + "(min to max) of ").append(reps).append(" runs. Target: 10 agents Up in under 3 s with the tuned "
                + "settings.\n\n| N | default | tuned |\n|---:|---:|---:|\n");
        String verdict = "";
        for (int n : new int[] {3, 5, 10}) {
            List<Double> d = new ArrayList<>();
            List<Double> t = new ArrayList<>();
            for (int r = 0; r < reps; r++) {
                d.add(timeToUp(n, DEFAULT, work));
                t.add(timeToUp(n, tuned(), work));
            }
            md.append("| ").append(n).append(" | ").append(stats(d)).append(" s | ").append(stats(t)).append(" s |\n");
            if (n == 10) {
                verdict = median(t) < 3.0 ? "met" : "NOT met";
            }
            System.err.printf("N=%d default %s tuned %s%n", n, stats(d), stats(t));
        }
        md.append("\nTuned: JVM `").append(String.join(" ", tuned().jvm()).replace(archive.toString(), "roam.jsa"))
                .append("` (an application class-data-sharing archive of the agent's classes, recorded once by a "
                        + "training agent); cluster `").append(String.join(" ", TUNED_CONFIG).replace("-D", ""))
                .append("`.\n\nOne agent alone costs ").append(String.format(Locale.ROOT, "%.2f", soloCpu(DEFAULT, work)))
                .append(" CPU-seconds to start and be Up with the default settings, ")
                .append(String.format(Locale.ROOT, "%.2f", soloCpu(tuned(), work)))
                .append(" with the tuned ones; N agents need at least N times that on this machine's cores.\n\n"
                        + "Target (10 agents under 3 s, tuned): **").append(verdict).append("**.\n\n");
        md.append(idleCost(work));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md);
        System.err.println("wrote " + out);
    }

    private static double timeToUp(int n, Setting s, Path work) throws Exception {
        List<Process> ps = new ArrayList<>();
        int seed = freePort();
        int http = freePort();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < n; i++) {
                ps.add(startAgent("b" + i, i == 0 ? seed : freePort(), i == 0 ? http : freePort(), seed, s, work));
            }
            while (true) {
                if (System.nanoTime() - start > 120e9) {
                    throw new IllegalStateException(n + " agents not Up within 120 s");
                }
                if (reachable(http) == n) {
                    return (System.nanoTime() - start) / 1e9;
                }
                Thread.sleep(50);
            }
        } finally {
            stop(ps);
        }
    }

    /** Records the class-data-sharing archive: one agent started, Up, and stopped. */
    private static Path train(Path work) throws Exception {
        Path jsa = work.resolve("roam.jsa");
        Setting training = new Setting("training", List.of("-Xmx128m", "-XX:ArchiveClassesAtExit=" + jsa), List.of());
        int http = freePort();
        Process p = startAgent("train", freePort(), http, -1, training, work);
        awaitReachable(p, http, 1, 100, work);
        p.destroy();   // SIGTERM: the JVM exits normally and writes the archive
        p.waitFor();
        if (!Files.exists(jsa)) {
            throw new IllegalStateException("no class-data-sharing archive was written; see " + work.resolve("train.log"));
        }
        return jsa;
    }

    /** CPU-seconds one agent spends from its start until it is Up. */
    private static double soloCpu(Setting s, Path work) throws Exception {
        int http = freePort();
        Process p = startAgent("solo", freePort(), http, -1, s, work);
        try {
            awaitReachable(p, http, 1, 20, work);
            return cpuTicks(p.pid()) / 100.0;
        } finally {
            stop(List.of(p));
        }
    }

    private static String idleCost(Path work) throws Exception {
        int http = freePort();
        // its processes are stand-ins registering invented pids: the agent's pid check is off
        Setting idle = new Setting("idle", DEFAULT.jvm(), List.of("-Droam.agent.pcm.check-pid=false"));
        Process p = startAgent("idle", freePort(), http, -1, idle, work);
        List<SocketChannel> clients = new ArrayList<>();
        try {
            awaitReachable(p, http, 1, 100, work);
            Path socket = work.resolve("pcm-idle.sock");
            for (int r = 0; r < 8; r++) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(socket));
                ch.write(ByteBuffer.wrap(PcmCodec.encode(new Register("bench", r, 8, 10_000 + r, "idle", 0, "/bin/x", 0))));
                clients.add(ch);
            }
            Thread.sleep(10_000);   // settle
            long cpu0 = cpuTicks(p.pid());
            long t0 = System.nanoTime();
            for (int s = 0; s < 30; s++) {   // heartbeats at 1 s, as libpcm sends them by default
                for (int r = 0; r < 8; r++) {
                    clients.get(r).write(ByteBuffer.wrap(PcmCodec.encode(new Heartbeat(s, 1_000_000, 0, 0, 0,
                            List.of()))));
                }
                Thread.sleep(1000);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = (cpuTicks(p.pid()) - cpu0) / 100.0 / secs * 100;
            long rssKb = rssKb(p.pid());
            return String.format(Locale.ROOT, "## Idle cost of one agent\n\nOne agent (default settings, -Xmx256m), 8 "
                    + "registered processes sending a heartbeat every second, measured over %.0f s after 10 s of "
                    + "settling: CPU **%.2f %%** of one core, resident memory **%d MiB** (the JVM's, heap "
                    + "included).\n", secs, cpu, rssKb / 1024);
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
            stop(List.of(p));
        }
    }
}
