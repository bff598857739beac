package io.roam.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the control API checks before any route (docs/security.md):
 * <ol>
 *   <li>every request: the name in its {@code Host} must be one of this agent's (else 403: DNS
 *       rebinding, a foreign site's name resolving to this address), and an {@code Origin}, if
 *       present, must be {@code http://} + that Host, port included (else 403: another site's
 *       page). The port of the Host is not checked: a tunnel ({@code ssh -L 8080:127.0.0.1:7170})
 *       changes it, and it tells nothing of rebinding, which needs the attacker's own name;</li>
 *   <li>every request that acts (any method but GET and HEAD): {@code Authorization: Bearer
 *       <token>} with the agent's token (else 401, and nothing happens).</li>
 * </ol>
 */
final class RequestGuard {
    private final ControlToken token;
    private final Set<String> names;

    /** @param names the host names accepted in {@code Host} */
    RequestGuard(ControlToken token, Collection<String> names) {
        this.token = token;
        this.names = Collections.unmodifiableSet(new TreeSet<>(names.stream().map(RequestGuard::normal).toList()));
    }

    /**
     * The names accepted for an API bound to {@code bindAddress}: that address (every address of
     * this machine for a wildcard), the loopback names, the agent's host name, this machine's
     * name and {@code extra}.
     */
    static Set<String> names(String bindAddress, String agentHost, Collection<String> extra) {
        Set<String> n = new TreeSet<>(List.of("localhost", "127.0.0.1", "::1", bindAddress, agentHost));
        n.addAll(extra);
        try {
            n.add(InetAddress.getLocalHost().getHostName());
        } catch (UnknownHostException e) {
            // no name: the others
        }
        try {
            if (InetAddress.getByName(bindAddress).isAnyLocalAddress()) {
                for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    i.inetAddresses().forEach(a -> n.add(a.getHostAddress().replaceAll("%.*", "")));
                }
            }
        } catch (UnknownHostException | SocketException e) {
            // not an address: binding says so
        }
        return n;
    }

    Set<String> names() {
        return names;
    }

    /** {@code inner} behind the checks. */
    Route guard(Supplier<Route> inner) {
        return extractRequest(request -> {
            Optional<String> foreign = foreign(request);
            if (foreign.isPresent()) {
                return complete(StatusCodes.FORBIDDEN, foreign.get() + "\n");
            }
            if (acts(request) && !authorized(request)) {
                return complete(HttpResponse.create().withStatus(StatusCodes.UNAUTHORIZED)
                        .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "roam")))
                        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, "this request changes the"
                                + " cluster: it needs the agent's token as 'Authorization: Bearer <token>' (the roam"
                                + " commands send the one in the agent's token file, roam.agent.http.token-file)\n")));
            }
            return inner.get();
        });
    }

    static boolean acts(HttpRequest request) {
        return !request.method().equals(HttpMethods.GET) && !request.method().equals(HttpMethods.HEAD);
    }

    /** Why the request's Host or Origin is not this agent's, if it is not. */
    Optional<String> foreign(HttpRequest request) {
        Optional<String> host = request.getHeader("Host").map(HttpHeader::value).map(v -> v.trim().toLowerCase(
                Locale.ROOT));
        if (host.isEmpty() || host.get().isEmpty()) {
            return Optional.of("refused: no Host header");
        }
        String[] hp = hostAndPort(host.get());
        if (hp != null) {
            hp[0] = normal(hp[0]);
        }
        if (hp == null || !names.contains(hp[0])) {
            return Optional.of("refused: Host " + host.get() + " is not a name of this agent (its bound address,"
                    + " localhost, its host name, or one of roam.agent.http.allowed-hosts)");
        }
        Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value);
        if (origin.isPresent() && !sameOrigin(origin.get(), hp)) {
            return Optional.of("refused: Origin " + origin.get() + " is not this agent's page (http://" + host.get()
                    + "): the control API does not answer other sites' pages");
        }
        return Optional.empty();
    }

    private boolean authorized(HttpRequest request) {
        String value = request.getHeader("Authorization").map(HttpHeader::value).orElse("").trim();
        return value.regionMatches(true, 0, "Bearer ", 0, 7) && token.matches(value.substring(7).trim());
    }

    /** {name, port} of a Host value ({@code name}, {@code name:port}, {@code [v6]:port}); port 80 if none; null if malformed. */
    static String[] hostAndPort(String value) {
        String name;
        String rest;
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            if (end < 0) {
                return null;
            }
            name = value.substring(1, end);
            rest = value.substring(end + 1);
        } else {
            int colon = value.indexOf(':');
            name = colon < 0 ? value : value.substring(0, colon);
            rest = colon < 0 ? "" : value.substring(colon);
        }
        if (rest.isEmpty()) {
            return new String[] {name, "80"};
        }
        if (!rest.matches(":\\d{1,5}")) {
            return null;
        }
        return new String[] {name, Integer.toString(Integer.parseInt(rest.substring(1)))};
    }

    private static boolean sameOrigin(String origin, String[] hostAndPort) {
        try {
            URI u = new URI(origin.trim());
            if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null || u.getRawPath() != null
                    && !u.getRawPath().isEmpty()) {
                return false;
            }
            String name = normal(u.getHost());
            int p = u.getPort() < 0 ? 80 : u.getPort();
            return name.equals(hostAndPort[0]) && Integer.toString(p).equals(hostAndPort[1]);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** Lower case, IPv6 without brackets and in one textual form. */
    static String normal(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        n = n.startsWith("[") && n.endsWith("]") ? n.substring(1, n.length() - 1) : n;
        if (n.contains(":") && n.matches("[0-9a-f:.%]+")) {
            try {
                return InetAddress.getByName(n.replaceAll("%.*", "")).getHostAddress();   // a literal: no lookup
            } catch (UnknownHostException e) {
                return n;
            }
        }
        return n;
    }
}
