package io.roam.agents.logging;

import com.typesafe.config.Config;
import io.roam.config.Settings;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * One way to the log for everything in the JVM: SLF4J over logback (logback.xml, the format of
 * {@link RoamLogLayout}), Pekko through pekko-slf4j ({@code pekko.loggers} in reference.conf),
 * java.util.logging and System.Logger (the PCM socket server's) through jul-to-slf4j.
 */
public final class Logging {
    /** The formats of roam.agent.log.format. */
    public static final List<String> FORMATS = List.of("text", "json");

    private Logging() {
    }

    /**
     * Starts logback before any other thread logs (else SLF4J replays the early calls with a
     * warning of its own) and routes java.util.logging to it. Idempotent; the roam command
     * calls it first, and so does every agent started in a JVM.
     */
    public static synchronized void init() {
        LoggerFactory.getILoggerFactory();
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /** roam.agent.log.format: text or json. */
    public static String format(Config root) {
        return Settings.of(root, "roam.agent.log").oneOf("format", FORMATS);
    }

    /** Every log line from now on in {@code format} (text or json), whatever logback.xml said. */
    public static void use(String format) {
        init();
        RoamLogLayout.force(format);
    }
}
