package io.roam.agents;

import com.typesafe.config.Config;
import io.roam.config.Settings;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;

/**
 * The addresses and ports an agent listens on, checked before anything starts: each must be
 * an address of this machine and a port from 0 to 65535 that nothing else listens on. A bad
 * value is {@link Settings.Invalid} (exit code 2), an address or port this machine cannot give
 * is {@link Unavailable} (exit code 3); either way nothing has been started or bound. (The
 * check binds the address for a moment and lets it go: a program that takes the port between
 * the check and the agent's own bind still stops the agent, with a longer message.)
 */
final class StartChecks {
    private static final String ARTERY = "pekko.remote.artery.";

    private StartChecks() {
    }

    /** The cluster endpoint (Artery): bind.hostname/port where set, else canonical.hostname/port. */
    static void clusterEndpoint(Config root) {
        String hostKey = ARTERY + (root.getString(ARTERY + "bind.hostname").isBlank() ? "canonical" : "bind")
                + ".hostname";
        String portKey = ARTERY + (root.getString(ARTERY + "bind.port").isBlank() ? "canonical" : "bind") + ".port";
        int port = port(root, portKey, "--port");
        listen(new Endpoint(hostKey, "--bind", root.getString(hostKey), portKey, "--port", port));
    }

    /** The control API: roam.agent.http.interface and port (their range checked by AgentSettings). */
    static void controlApi(AgentSettings s) {
        listen(new Endpoint("roam.agent.http.interface", "--http-bind", s.httpInterface(), "roam.agent.http.port",
                "--http-port", s.httpPort()));
    }

    record Endpoint(String hostKey, String hostOption, String host, String portKey, String portOption, int port) {
        String where() {
            return host + ":" + port + " (" + hostKey + " and " + portKey + ", roam agent " + hostOption + " and "
                    + portOption + ")";
        }
    }

    /** Binds the endpoint for a moment: it resolves, is this machine's, and its port is free. */
    static void listen(Endpoint e) {
        InetAddress address = address(e);
        try (ServerSocketChannel ch = ServerSocketChannel.open()) {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);   // a port in TIME_WAIT is free
            ch.bind(new InetSocketAddress(address, e.port()));
        } catch (BindException b) {
            String why = String.valueOf(b.getMessage());
            if (why.contains("in use")) {
                throw new Unavailable("port " + e.port() + " on " + e.host() + " is in use (" + e.portKey()
                        + ", roam agent " + e.portOption() + "): another agent or program listens there (ss -ltnp"
                        + " shows which); stop it, or give another port (" + e.portOption() + " 0 takes any free one)");
            }
            throw new Unavailable(e.host() + " is not an address of this machine (" + e.hostKey() + ", roam agent "
                    + e.hostOption() + "): give one of its addresses (ip -brief address lists them), or 127.0.0.1");
        } catch (IOException | SecurityException x) {
            throw new Unavailable("cannot listen on " + e.where() + ": " + Errors.describe(x));
        }
    }

    private static InetAddress address(Endpoint e) {
        String host = e.host().trim();
        try {
            if (host.equals("<getHostAddress>") || host.equals("<getHostName>")) {   // Pekko's special values
                return InetAddress.getLocalHost();
            }
            return InetAddress.getByName(host);
        } catch (UnknownHostException u) {
            throw new Settings.Invalid(e.hostKey(), e.host(), "an IP address or a host name of this machine (roam"
                    + " agent " + e.hostOption() + "), e.g. 127.0.0.1; " + e.host() + " is neither an address nor a"
                    + " name that resolves");
        }
    }

    private static int port(Config root, String key, String option) {
        String allowed = "0 to 65535, 0 = any free port (roam agent " + option + ")";
        int port;
        try {
            port = root.getInt(key);
        } catch (com.typesafe.config.ConfigException e) {
            throw new Settings.Invalid(key, root.hasPath(key) ? root.getValue(key).unwrapped() : "(not set)", allowed);
        }
        if (port < 0 || port > 65535) {
            throw new Settings.Invalid(key, port, allowed);
        }
        return port;
    }
}
