package io.roam.agents;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.roam.decision.Placement;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * One running agent: its actor system (whose guardian is the {@link NodeAgent}), its PCM
 * daemon socket and its control API. {@code roam agent} runs one; tests run several in one
 * JVM.
 */
public final class Agent implements AutoCloseable {
    private final ActorSystem<NodeAgent.Command> system;
    private final AgentSettings settings;
    private final ServerBinding http;

    private Agent(ActorSystem<NodeAgent.Command> system, AgentSettings settings, ServerBinding http) {
        this.system = system;
        this.settings = settings;
        this.http = http;
    }

    /**
     * Starts an agent from {@code overrides} over the reference configuration. With no seed
     * nodes it joins itself and forms a one-node cluster.
     */
    public static Agent start(Config overrides) {
        Config base = overrides.withFallback(ConfigFactory.load()).resolve();
        AgentConfig all = AgentConfig.from(base);
        AgentSettings settings = all.agent();
        PcmDaemon.checkSocketFree(settings.pcmSocket());
        Config config = TlsSettings.from(base).applyTo(base).withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(MemberRoles.roles(settings)))
                .withValue("pekko.coordinated-shutdown.phases.before-service-unbind.timeout",
                        ConfigValueFactory.fromAnyRef(AgentShutdown.phaseTimeout(settings).toMillis() + "ms"));
        ActorSystem<NodeAgent.Command> system = ActorSystem.create(NodeAgent.create(all), "roam", config);
        try {
            Cluster cluster = Cluster.get(system);
            if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
                Address self = cluster.selfMember().address();
                cluster.manager().tell(Join.create(self));
            }
            awaitPcmSocket(system, settings);
            ClusterQueries queries = new ClusterQueries(system, system, settings.statusTimeout());
            Drain drain = new Drain(system, queries, new Placement(all.decision()), settings.migrationTimeout());
            ServerBinding binding = Http.get(system).newServerAt(settings.httpInterface(), settings.httpPort())
                    .bind(new ControlApi(system, queries, drain, settings.drainDeadline()).routes())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            AgentShutdown.install(system, settings, drain, binding);
            return new Agent(system, settings, binding);
        } catch (Exception e) {
            system.terminate();
            throw new IllegalStateException("agent did not start: " + e.getMessage(), e);
        }
    }

    /** The agent is ready for processes once its PCM daemon serves the socket. */
    private static void awaitPcmSocket(ActorSystem<?> system, AgentSettings settings) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!PcmDaemon.accepts(settings.pcmSocket())) {
            if (system.whenTerminated().isCompleted() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the PCM daemon did not start on " + settings.pcmSocket()
                        + " (see the log)");
            }
            Thread.sleep(10);
        }
    }

    public ActorSystem<NodeAgent.Command> system() {
        return system;
    }

    public AgentSettings settings() {
        return settings;
    }

    /** The cluster address of this agent, e.g. pekko://roam@127.0.0.1:2552. */
    public String address() {
        return Cluster.get(system).selfMember().address().toString();
    }

    public int httpPort() {
        return http.localAddress().getPort();
    }

    public String httpUrl() {
        return "http://" + http.localAddress().getHostString() + ":" + httpPort();
    }

    /** Leaves the cluster gracefully (coordinated shutdown: leave, exit) and stops, without a drain. */
    @Override
    public void close() {
        stop(false, "closed");
    }

    /**
     * Stops the agent through the coordinated shutdown: first a drain of this node if
     * {@code drain} (and roam.agent.drain.on-stop), then the control API, the cluster, the
     * actor system. Waits for the end.
     */
    public void stop(boolean drain, String reason) {
        CoordinatedShutdown.get(system).runAll(new AgentShutdown.Requested(reason, drain));
        try {
            system.getWhenTerminated().toCompletableFuture().get(AgentShutdown.phaseTimeout(settings).toMillis()
                    + Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // terminating anyway
        }
    }

    /** Why the agent stopped: a Roam request (roam stop, SIGTERM through stop) or something else. */
    public java.util.Optional<String> stopRequest() {
        return CoordinatedShutdown.get(system).getShutdownReason()
                .filter(r -> r instanceof AgentShutdown.Requested).map(r -> ((AgentShutdown.Requested) r).reason());
    }
}
