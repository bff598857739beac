package io.roam.agents;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.roam.config.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Agent.class);
    private final ActorSystem<NodeAgent.Command> system;
    private final AgentSettings settings;
    private final ServerBinding http;
    private final ControlToken token;
    private final TlsSettings tls;
    private final CompletableFuture<Void> stopped;

    private Agent(ActorSystem<NodeAgent.Command> system, AgentSettings settings, ServerBinding http,
                  ControlToken token, TlsSettings tls, CompletableFuture<Void> stopped) {
        this.system = system;
        this.stopped = stopped;
        this.settings = settings;
        this.http = http;
        this.token = token;
        this.tls = tls;
    }

    /**
     * Starts an agent from {@code overrides} over the reference configuration. With no seed
     * nodes it joins itself and forms a one-node cluster.
     */
    public static Agent start(Config overrides) {
        // every key and range first, then what the machine must give (addresses, ports, the PCM
        // socket), then the token file: a refusal at any step leaves nothing started or bound
        Config base = overrides.withFallback(ConfigFactory.load()).resolve();
        AgentConfig all = AgentConfig.from(base);
        AgentSettings settings = all.agent();
        io.roam.agents.logging.Logging.use(all.logFormat());
        Settings http = Settings.of(base, "roam.agent.http");
        boolean openBind = openBind(settings.httpInterface(), base.getBoolean("roam.agent.tls.enabled"),
                http.flag("allow-insecure-bind"));
        List<String> allowedHosts = allowedHosts(base);
        StartChecks.clusterEndpoint(base);
        StartChecks.controlApi(settings);
        PcmDaemon.checkSocketFree(settings.pcmSocket());
        java.time.Duration joinCheck = JoinCheck.period(base);
        TlsSettings tls = TlsSettings.from(base, settings.host());
        if (tls.enabled()) {
            LOG.info(tls.startLine(null));
        }
        ControlToken token = ControlToken.loadOrCreate(ControlToken.configuredFile(base));
        Config config = tls.applyTo(base).withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(MemberRoles.roles(settings)))
                .withValue("pekko.coordinated-shutdown.phases.before-service-unbind.timeout",
                        ConfigValueFactory.fromAnyRef(AgentShutdown.phaseTimeout(settings).toMillis() + "ms"));
        ActorSystem<NodeAgent.Command> system;
        try {
            system = ActorSystem.create(NodeAgent.create(all), "roam", config);
        } catch (RuntimeException e) {
            throw startFailure("the cluster endpoint", e);
        }
        try {
            Cluster cluster = Cluster.get(system);
            if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
                Address self = cluster.selfMember().address();
                cluster.manager().tell(Join.create(self));
            }
            if (!tls.enabled()) {
                Address me = cluster.selfMember().address();
                LOG.warn(tls.startLine(me.host().get() + ":" + me.port().get()));
            }
            JoinCheck.start(system, config, tls, joinCheck);
            awaitPcmSocket(system, settings);
            ClusterQueries queries = new ClusterQueries(system, system, settings.statusTimeout());
            // roam.agent.drain.shrink-malleable: a drain without room shrinks the malleable jobs first
            DrainShrinks shrinks = io.roam.config.Settings.of(system.settings().config(), "roam.agent.drain")
                    .flag("shrink-malleable") ? new DrainShrinks(system, queries,
                    AgentResizes.timeout(system.settings().config())) : null;
            Drain drain = new Drain(system, queries, new Placement(all.decision()), settings.migrationTimeout(),
                    shrinks);
            RequestGuard guard = new RequestGuard(token, RequestGuard.names(settings.httpInterface(), settings.host(),
                    allowedHosts));
            ServerBinding binding = Http.get(system).newServerAt(settings.httpInterface(), settings.httpPort())
                    .bind(new ControlApi(system, queries, drain, settings.drainDeadline(), guard).routes())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (openBind) {
                system.log().warn("roam.agent.http.interface = {}: the control API listens beyond this machine while"
                        + " the cluster runs without TLS (roam.agent.http.allow-insecure-bind = true): whoever reaches"
                        + " {} reads the cluster's status, the token crosses the network in clear text, and any agent"
                        + " may join the cluster and steer it. Enable TLS (roam keys), or bind to 127.0.0.1 and"
                        + " tunnel (ssh -L)", settings.httpInterface(), binding.localAddress());
            }
            CompletableFuture<Void> stopped = AgentShutdown.install(system, settings, drain, binding);
            return new Agent(system, settings, binding, token, tls, stopped);
        } catch (Exception e) {
            system.terminate();
            throw startFailure("the control API", e);
        }
    }

    /**
     * A failure after the checks: a port taken since (Unavailable, one line), or anything else,
     * told without "null" (StartChecks saw the ports free a moment before).
     */
    private static IllegalStateException startFailure(String what, Exception e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.net.BindException) {
                return new Unavailable("cannot listen for " + what + ": " + Errors.describe(c) + " (taken after the"
                        + " agent checked it: started twice at once?); stop the other program or choose another port");
            }
        }
        return new IllegalStateException("agent did not start: " + Errors.describe(e), e);
    }

    /**
     * Whether the control API is bound beyond loopback without TLS on the cluster; refused
     * unless {@code allowed} (roam.agent.http.allow-insecure-bind).
     */
    static boolean openBind(String httpInterface, boolean tls, boolean allowed) {
        boolean loopback;
        try {
            loopback = InetAddress.getByName(httpInterface).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;   // binding fails on it, saying so
        }
        if (loopback || tls) {
            return false;
        }
        if (!allowed) {
            throw new Settings.Invalid("invalid configuration roam.agent.http.interface = " + httpInterface
                    + ": not a loopback address, and the cluster runs without TLS (roam.agent.tls.enabled = false),"
                    + " so whoever reaches it could read the cluster and any agent could join it; enable TLS"
                    + " (roam keys), or keep the API on 127.0.0.1 and tunnel to it (ssh -L 7170:127.0.0.1:7170 NODE),"
                    + " or accept the risk with roam.agent.http.allow-insecure-bind = true");
        }
        return true;
    }

    /** roam.agent.http.allowed-hosts: host names, no port, no scheme. */
    static List<String> allowedHosts(Config root) {
        String key = "roam.agent.http.allowed-hosts";
        List<String> names;
        try {
            names = root.getStringList(key);
        } catch (com.typesafe.config.ConfigException.WrongType e) {
            throw new Settings.Invalid(key, root.getValue(key).render(), "a list of host names, e.g. [\"node1.example.org\"]");
        }
        for (String n : names) {
            if (!n.matches("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]+\\]")) {
                throw new Settings.Invalid(key, root.getValue(key).render(), "host names or IP addresses without port"
                        + " or scheme, e.g. [\"node1.example.org\"]");
            }
        }
        return names;
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

    /** The file of the control API's token (roam.agent.http.token-file). */
    public java.nio.file.Path tokenFile() {
        return token.file();
    }

    /** How the links to the other agents are secured, for the start line: "TLS, keys in DIR" or "no TLS". */
    public String tlsSummary() {
        return !tls.enabled() ? "no TLS (roam.agent.tls.enabled = false)"
                : "TLS, keys in " + (tls.keyDir() != null ? tls.keyDir() : tls.keyStore());
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
            stopped.get(AgentShutdown.phaseTimeout(settings).toMillis()
                    + Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // terminating anyway
        }
    }

    /**
     * Completes once the agent has stopped: its actor system ended, or its shutdown finished and
     * the system did not end within {@link AgentShutdown#TERMINATE_GRACE} (logged).
     */
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    /** Why the agent stopped: a Roam request (roam stop, SIGTERM through stop) or something else. */
    public java.util.Optional<String> stopRequest() {
        return CoordinatedShutdown.get(system).getShutdownReason()
                .filter(r -> r instanceof AgentShutdown.Requested).map(r -> ((AgentShutdown.Requested) r).reason());
    }
}
