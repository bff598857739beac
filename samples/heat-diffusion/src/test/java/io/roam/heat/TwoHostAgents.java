package io.roam.heat;

import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Two namespace hosts with one test agent each (a PcmServer per host on the %h socket), and
 * the netns of every process that registers on host 2, read while it runs. Jobs start on
 * host 1 across both hosts.
 */
final class TwoHostAgents implements AutoCloseable {
    final NetnsHosts hosts;
    final String h1;
    final String h2;
    final PcmRecorder agent1 = new PcmRecorder();
    final PcmRecorder agent2 = new PcmRecorder();
    /** pid -> /proc/PID/ns/net of the processes that registered on host 2. */
    final Map<Long, String> host2Netns = new ConcurrentHashMap<>();
    private final Path dir;
    private final String socket;
    private final PcmServer s1;
    private final PcmServer s2;

    TwoHostAgents(String testPrefix, Path dir) throws IOException, InterruptedException {
        this(testPrefix, dir, 0);
    }

    /** With the agents asking for a HEARTBEAT every {@code heartbeatMs} (0: none). */
    TwoHostAgents(String testPrefix, Path dir, long heartbeatMs) throws IOException, InterruptedException {
        this.dir = dir;
        this.hosts = NetnsHosts.create(testPrefix, 2, dir);
        this.h1 = hosts.addresses.get(0);
        this.h2 = hosts.addresses.get(1);
        this.socket = dir.resolve("agent-%h.sock").toString();
        agent2.addHook((conn, msg) -> {
            if (msg instanceof Register r) {
                host2Netns.put(r.pid(), NetnsHosts.netnsOf(r.pid()));
            }
        });
        PcmServer first = null;
        try {
            first = new PcmServer(Path.of(socket.replace("%h", h1)), agent1,
                    new PcmServer.Options("agent-h1", heartbeatMs)).start();
            this.s1 = first;
            this.s2 = new PcmServer(Path.of(socket.replace("%h", h2)), agent2,
                    new PcmServer.Options("agent-h2", heartbeatMs)).start();
        } catch (IOException | RuntimeException e) {
            if (first != null) {
                first.close();
            }
            hosts.close();
            throw e;
        }
    }

    /** The job runs mpirun on host 1 over both hosts (4 slots each), with the agents' socket. */
    HeatJob.Spec onHosts(HeatJob.Spec spec) throws IOException {
        return onHosts(spec, 4);
    }

    /** As {@link #onHosts(HeatJob.Spec)} with {@code slots} per host (1: rank 0 on host 1, rank 1 on host 2). */
    HeatJob.Spec onHosts(HeatJob.Spec spec, int slots) throws IOException {
        spec.env("ROAM_AGENT_SOCKET", socket)
                .launcherEnv("ROAM_HOST", h1)
                .prefix(hosts.exec(0).toArray(String[]::new))
                .mpiArgs(hosts.mpiArgs(hosts.hostfile(dir, slots)));
        spec.agentSocket = socket;
        return spec;
    }

    /** The pids of the processes running {@code binary} in host i's (0-based) network namespace. */
    List<Long> processesOn(int host, Path binary) throws IOException {
        return hosts.processes(host, binary);
    }

    @Override
    public void close() {
        s2.close();
        s1.close();
        hosts.close();
    }
}
