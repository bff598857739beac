package io.roam.agents.cli;

import io.roam.agents.Agent;
import io.roam.config.Settings;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * How {@code roam agent} stops on a signal: SIGTERM and SIGINT are logged as they arrive
 * ("received SIGTERM: stopping: draining vm first ..."), then the JVM exits as it would have
 * (exit code 128 + the signal: 143, 130) through a shutdown hook that stops the agent (its drain,
 * then it leaves the cluster) and logs the end. Where signals cannot be caught (java -Xrs) the
 * hook alone logs the stop.
 */
final class StopSignals {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);

    private StopSignals() {
    }

    static void install(Agent agent, Runnable stop) {
        String plan = plan(agent);
        AtomicReference<String> received = new AtomicReference<>();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> {
                    received.set("SIG" + s.getName());
                    LOG.info("received SIG{}: stopping: {}", s.getName(), plan);
                    System.exit(128 + s.getNumber());   // what the JVM does on its own: the hook below runs
                });
            } catch (IllegalArgumentException | UnsupportedOperationException cannot) {
                // -Xrs, or the signal is the JVM's own: the hook says that the agent stops
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (received.get() == null) {
                LOG.info("the JVM is exiting: stopping: {}", plan);
            }
            stop.run();
            LOG.info("stopped ({})", received.get() == null ? "JVM exit" : received.get());
        }, "roam-agent-stop"));
    }

    /** What the stop will do: drain this node first (roam.agent.drain.on-stop), then leave. */
    private static String plan(Agent agent) {
        var s = agent.settings();
        return s.drainOnStop()
                ? "draining " + s.host() + " first (roam.agent.drain.on-stop; its ranks move within"
                        + " roam.agent.drain.deadline = " + Settings.format(s.drainDeadline()) + "), then leaving the"
                        + " cluster"
                : "leaving the cluster without a drain (roam.agent.drain.on-stop = false)";
    }
}
