package io.roam.agents;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Exceptions told in words for one-line messages: never "null", whatever the exception carries. */
public final class Errors {
    private Errors() {
    }

    /**
     * What went wrong, on one line: the exception's own message (wrappers such as
     * CompletionException skipped); for the kinds whose messages say little (ConnectException,
     * timeouts, an unresolved host) or that have none, what the kind means or the first message
     * of a cause; else the kind's name. Never "null".
     */
    public static String describe(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        String own = e.getMessage();
        if (own != null && !own.isBlank() && !own.equals("null") && kind(e) == null) {
            return own.strip().replace('\n', ' ');
        }
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
                return kind(c);
            }
        }
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String k = kind(c);
            if (k != null) {
                return k;
            }
            String m = c.getMessage();
            if (m != null && !m.isBlank() && !m.equals("null")) {
                return m.strip().replace('\n', ' ');
            }
        }
        return e.getClass().getSimpleName() + ", without a message";
    }

    /** Words for the kinds whose messages say little or nothing; null for the others. */
    private static String kind(Throwable e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "no connection within the time allowed (a firewall, or a host that is down)";
        } else if (e instanceof HttpTimeoutException || e instanceof TimeoutException) {
            return "no answer within the time allowed";
        } else if (e instanceof ConnectException) {
            return "connection refused (nothing listens there)";
        } else if (e instanceof UnknownHostException || e instanceof UnresolvedAddressException) {
            return "the host name does not resolve" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        } else if (e instanceof ClosedChannelException || e instanceof EOFException) {
            return "the connection closed before an answer";
        }
        return null;
    }
}
