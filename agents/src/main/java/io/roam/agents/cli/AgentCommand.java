package io.roam.agents.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigOriginFactory;
import io.roam.agents.Agent;
import io.roam.agents.Errors;
import io.roam.agents.Unavailable;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roam agent}: runs this node's agent until it is stopped (SIGTERM, SIGINT). */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Start this node's agent. Alone it forms a one-node cluster; with --seed it joins one.")
final class AgentCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", description = "HOCON file over the built-in defaults (reference.conf).")
    File config;

    @Option(names = "--host", description = "MPI host name of this node (roam.agent.host).")
    String host;

    @Option(names = "--cluster", description = "Cluster name for the c2c topology (roam.agent.cluster).")
    String cluster;

    @Option(names = "--topology", description = "p2p or c2c (roam.agent.topology).")
    String topology;

    @Option(names = "--bind", description = "Address of the agent's cluster endpoint (default 127.0.0.1).")
    String bind;

    @Option(names = "--port", description = "Port of the agent's cluster endpoint, 0 = any (default 2552).")
    Integer port;

    @Option(names = "--http-port", description = "Port of the control API, 0 = any (default 7170).")
    Integer httpPort;

    @Option(names = "--http-bind", description = "Address of the control API (default 127.0.0.1).")
    String httpBind;

    @Option(names = "--socket", description = "PCM socket path; %%h = the host name (roam.agent.pcm.socket).")
    String socket;

    @Option(names = "--seed", description = "A seed node, HOST:PORT (repeatable). None: a one-node cluster.")
    List<String> seeds = new ArrayList<>();

    @Option(names = "--stealing", description = "Work stealing: rs, ats, nts, informed, off (roam.stealing.protocol/enabled).")
    String stealing;

    @Option(names = "--strategy", description = "Decision strategy, e.g. ios or cost-aware (roam.decision.strategy).")
    String strategy;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any configuration key (repeatable), e.g. --set roam.profiling.period=1s.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--log-format", paramLabel = "text|json",
            description = "Log lines as text (date, time, level, logger, message) or JSON lines (roam.agent.log.format).")
    String logFormat;

    @Override
    public Integer call() throws Exception {
        Agent agent;
        try {
            agent = Agent.start(overrides());
        } catch (Unavailable e) {
            System.err.println("roam agent: " + Errors.describe(e));
            return ExitCodes.UNAVAILABLE;
        } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
            System.err.println("roam agent: " + Errors.describe(e));
            return ExitCodes.USAGE;
        } catch (IllegalStateException e) {
            System.err.println("roam agent: " + Errors.describe(e));
            return ExitCodes.FAILED;
        }
        java.util.concurrent.atomic.AtomicBoolean asked = new java.util.concurrent.atomic.AtomicBoolean();
        // SIGTERM / SIGINT: logged, then drain this node first (roam.agent.drain.on-stop), then leave
        StopSignals.install(agent, () -> {
            asked.set(true);
            agent.stop(true, "signal");
        });
        System.out.printf("roam agent %s up: host %s, cluster %s, %s, control API %s, PCM socket %s, token file %s%n",
                agent.address(), agent.settings().host(), agent.settings().cluster(), agent.tlsSummary(), agent.httpUrl(),
                agent.settings().pcmSocket(), agent.tokenFile());
        System.out.flush();
        agent.stopped().join();
        if (!asked.get() && agent.stopRequest().isPresent()) {
            System.out.println("roam agent: stopped (" + agent.stopRequest().get() + ")");
            return ExitCodes.OK;
        }
        if (!asked.get()) {
            System.err.println("roam agent: the agent stopped on its own (see the log above)");
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    Config overrides() {
        Config c = ConfigFactory.empty();
        c = set(c, "roam.agent.host", host);
        c = set(c, "roam.agent.cluster", cluster);
        c = set(c, "roam.agent.topology", topology);
        c = set(c, "roam.agent.pcm.socket", socket);
        c = set(c, "roam.agent.http.port", httpPort);
        c = set(c, "roam.agent.http.interface", httpBind);
        c = set(c, "pekko.remote.artery.canonical.hostname", bind);
        c = set(c, "pekko.remote.artery.canonical.port", port);
        c = set(c, "roam.decision.strategy", strategy);
        c = set(c, "roam.agent.log.format", logFormat);
        if (stealing != null) {
            boolean off = stealing.equals("off");
            c = set(c, "roam.stealing.enabled", !off);
            c = off ? c : set(c, "roam.stealing.protocol", stealing);
        }
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--set must be KEY=VALUE, was " + kv);
            }
            try {
                Config one = ConfigFactory.parseString(kv.substring(0, eq) + " = " + kv.substring(eq + 1));
                ConfigOrigin origin = ConfigOriginFactory.newSimple("--set " + kv);
                for (var e : one.entrySet()) {   // errors about it say "--set KEY=VALUE"
                    c = c.withValue(e.getKey(), e.getValue().withOrigin(origin));
                }
            } catch (com.typesafe.config.ConfigException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--set " + kv + ": " + Errors.describe(e));
            }
        }
        if (!seeds.isEmpty()) {
            List<String> addresses = new ArrayList<>();
            for (String s : seeds) {
                if (!s.matches("[^:\\s]+:\\d{1,5}")) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "--seed must be HOST:PORT, was " + s);
                }
                addresses.add("pekko://roam@" + s);
            }
            c = c.withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(addresses));
        }
        if (config != null) {
            if (!config.isFile()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--config " + config + ": no such file");
            }
            try {
                c = c.withFallback(ConfigFactory.parseFile(config));
            } catch (com.typesafe.config.ConfigException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--config " + config + ": " + Errors.describe(e));
            }
        }
        return c;
    }

    /** The option's value at {@code key}; an error about it names the option. */
    private static Config set(Config c, String key, Object value) {
        return value == null ? c : c.withValue(key, ConfigValueFactory.fromAnyRef(value, "roam agent option"));
    }
}
