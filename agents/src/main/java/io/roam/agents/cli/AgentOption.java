package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.roam.agents.Errors;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The {@code --agent URL} option of the commands that talk to an agent's control API. */
final class AgentOption {
    @Option(names = "--agent", converter = Url.class, paramLabel = "URL",
            description = "Control API of an agent, http://HOST:PORT (default ${DEFAULT-VALUE}).")
    String agent = ControlClient.DEFAULT_AGENT;

    /** A client that only reads. */
    ControlClient client() {
        return new ControlClient(agent);
    }

    /** A client that may act, with the token of {@code token}'s file. */
    ControlClient client(TokenOption token) {
        return new ControlClient(agent, token.file());
    }

    /** The cluster status, or empty after telling the user in one line why it could not be had. */
    Optional<JsonNode> status(String command) throws InterruptedException {
        try {
            return Optional.of(client().status());
        } catch (java.io.IOException e) {
            System.err.println("roam " + command + ": " + Errors.describe(e));
            return Optional.empty();
        }
    }

    /**
     * Tells in one line why a request to the agent failed; returns the exit code: 2 when the
     * agent refused it as it stands (nothing was done), else 1.
     */
    static int failed(String command, java.io.IOException e) {
        System.err.println("roam " + command + ": " + Errors.describe(e));
        return e instanceof ControlClient.Refused ? ExitCodes.USAGE : ExitCodes.FAILED;
    }

    /**
     * --agent: an http:// (or https://) URL with a host that is an address or a name, an optional
     * port from 1 to 65535 and path, no query; else a bad argument (exit code 2) before any request.
     */
    static final class Url implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.trim();
            URI u;
            try {
                u = new URI(v);
            } catch (URISyntaxException e) {
                throw bad(value, "it is not a URL (" + e.getReason() + ")");
            }
            if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("http")
                    || u.getScheme().equalsIgnoreCase("https"))) {
                throw bad(value, "it does not start with http://");
            }
            if (u.getHost() == null) {
                throw bad(value, u.getRawAuthority() == null ? "it names no host"
                        : "its host " + u.getRawAuthority() + " is neither an IP address nor a host name");
            }
            if (u.getPort() == 0 || u.getPort() > 65535) {
                throw bad(value, "its port " + u.getPort() + " is not from 1 to 65535");
            }
            if (u.getRawQuery() != null || u.getRawFragment() != null) {
                throw bad(value, "it has a query or fragment");
            }
            return v;
        }

        private static TypeConversionException bad(String value, String why) {
            return new TypeConversionException("'" + value + "' is not an agent's URL: " + why + "; give the agent's"
                    + " control API as http://HOST:PORT, e.g. " + ControlClient.DEFAULT_AGENT);
        }
    }
}
