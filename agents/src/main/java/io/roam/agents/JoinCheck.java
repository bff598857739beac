package io.roam.agents;

import com.typesafe.config.Config;
import io.roam.config.Settings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why an agent does not become a member: an agent given seed nodes that is not Up
 * {@code roam.agent.join-check} after start connects to each seed itself, once, the way Artery
 * would (TLS with its own keys, or a TLS greeting when it runs without), and logs one line
 * saying what it found: a TLS mismatch (the seed holds other keys, or one side runs without
 * TLS), nothing listening, or no TLS problem. It looks again every period while the agent is
 * not a member, logging only a finding that changed. Pekko logs nothing that says this plainly:
 * a refused handshake is a restarted stream at debug level on one side and a closed
 * connection on the other.
 */
final class JoinCheck {
    private static final Logger LOG = LoggerFactory.getLogger(JoinCheck.class);
    private static final int CONNECT_MS = 3000;
    /** How long to wait, after our side of a TLS 1.3 handshake, for the seed to refuse our certificate. */
    private static final int REFUSAL_MS = 1500;

    /** What a seed said to a probe. */
    enum Finding {
        OTHER_KEYS, SEED_WITHOUT_TLS, SELF_WITHOUT_TLS, NOTHING_LISTENS, NO_ANSWER, TLS_ACCEPTED, PLAIN_ANSWER, ERROR
    }

    record Probe(String seed, Finding finding, String detail) {
        boolean mismatch() {
            return finding == Finding.OTHER_KEYS || finding == Finding.SEED_WITHOUT_TLS
                    || finding == Finding.SELF_WITHOUT_TLS;
        }
    }

    private JoinCheck() {
    }

    /** roam.agent.join-check: 0 = off, else 1 s to 1 h. */
    static Duration period(Config root) {
        Settings s = Settings.of(root, "roam.agent");
        Duration d = s.duration("join-check", Duration.ZERO, Duration.ofHours(1));
        if (!d.isZero() && d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw s.bad("join-check", Settings.format(d), "0 (off) or 1 s to 1 h");
        }
        return d;
    }

    /** Starts watching, on a daemon thread of its own, if the agent has seeds other than itself. */
    static void start(ActorSystem<?> system, Config config, TlsSettings tls, Duration period) {
        Address self = Cluster.get(system).selfMember().address();
        List<Address> seeds = new ArrayList<>();
        for (String s : config.getStringList("pekko.cluster.seed-nodes")) {
            Address a = AddressFromURIString.parse(s);
            if (!a.equals(self)) {
                seeds.add(a);
            }
        }
        if (seeds.isEmpty() || period.isZero()) {
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean up = new java.util.concurrent.atomic.AtomicBoolean();
        org.apache.pekko.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> up.set(true));
        Thread t = new Thread(() -> watch(system, seeds, tls, period, up), "roam-join-check");
        t.setDaemon(true);
        t.start();
    }

    private static void watch(ActorSystem<?> system, List<Address> seeds, TlsSettings tls, Duration period,
                              java.util.concurrent.atomic.AtomicBoolean up) {
        String last = null;
        long start = System.nanoTime();
        while (waitOrEnd(system, period)) {
            MemberStatus st = Cluster.get(system).selfMember().status();
            if (up.get() || st == MemberStatus.up() || st == MemberStatus.weaklyUp()
                    || org.apache.pekko.actor.CoordinatedShutdown.get(system).getShutdownReason().isPresent()) {
                return;   // a member (or one once, now leaving), or stopping
            }
            List<Probe> probes = seeds.stream().map(a -> probe(a.host().get(), (Integer) a.port().get(), tls)).toList();
            String line = line(probes, Duration.ofNanos(System.nanoTime() - start));
            String finding = line.substring(line.indexOf(':'));
            if (!finding.equals(last)) {
                LOG.warn(line);
                last = finding;
            }
        }
    }

    /** Waits a period; false once the system has terminated. */
    private static boolean waitOrEnd(ActorSystem<?> system, Duration period) {
        try {
            system.getWhenTerminated().toCompletableFuture().get(period.toMillis(), TimeUnit.MILLISECONDS);
            return false;
        } catch (TimeoutException e) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** The one line: the findings of every seed, the mismatches first and named as such. */
    static String line(List<Probe> probes, Duration since) {
        boolean mismatch = probes.stream().anyMatch(Probe::mismatch);
        StringBuilder sb = new StringBuilder(mismatch ? "cannot join the cluster, TLS mismatch: "
                : "not a member of the cluster " + since.toSeconds() + " s after start: ");
        List<Probe> ordered = new ArrayList<>(probes.stream().filter(Probe::mismatch).toList());
        ordered.addAll(probes.stream().filter(p -> !p.mismatch()).toList());
        for (int i = 0; i < ordered.size(); i++) {
            sb.append(i == 0 ? "" : "; ").append("seed ").append(ordered.get(i).seed()).append(' ')
                    .append(ordered.get(i).detail());
        }
        return sb.toString();
    }

    /** Connects to a seed as Artery would and says what it answered. Blocks up to about 5 s. */
    static Probe probe(String host, int port, TlsSettings tls) {
        String seed = host + ":" + port;
        Recording trust;
        SSLContext ctx;
        try {
            trust = new Recording(tls.enabled() ? tls.trustManager() : null);
            ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(tls.enabled() ? tls.keyManagers() : null, new TrustManager[] {trust}, null);
        } catch (GeneralSecurityException e) {
            return new Probe(seed, Finding.ERROR, "could not be checked (" + e.getMessage() + ")");
        }
        try (Socket raw = new Socket()) {
            try {
                raw.connect(new InetSocketAddress(host, port), CONNECT_MS);
            } catch (ConnectException e) {
                return new Probe(seed, Finding.NOTHING_LISTENS, "refuses connections: no agent listens there (is it"
                        + " started, with this address and port?)");
            } catch (SocketTimeoutException e) {
                return new Probe(seed, Finding.NO_ANSWER, "does not answer within " + CONNECT_MS + " ms (a firewall,"
                        + " or a wrong address)");
            }
            raw.setSoTimeout(CONNECT_MS);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, host, port, true)) {
                s.setEnabledProtocols(new String[] {"TLSv1.3"});
                s.startHandshake();
                s.setSoTimeout(REFUSAL_MS);
                int b = s.getInputStream().read();   // TLS 1.3: a refusal of our certificate comes now
                return b < 0 && tls.enabled() && trust.sawServer ? new Probe(seed, Finding.ERROR, "closed the"
                        + " connection after the TLS handshake") : answered(seed, trust, tls, null);
            } catch (SocketTimeoutException quiet) {
                return answered(seed, trust, tls, null);
            } catch (IOException e) {   // an alert, or a reset by a seed that does not speak TLS
                return answered(seed, trust, tls, e);
            }
        } catch (IOException e) {
            return new Probe(seed, Finding.ERROR, "could not be reached: " + e.getMessage());
        }
    }

    /** What a TLS exchange with the seed showed ({@code failure}: null when it went through). */
    private static Probe answered(String seed, Recording trust, TlsSettings tls, IOException failure) {
        String keys = tls.keyDir() != null ? "the key directory " + tls.keyDir() : "roam.agent.tls.key-store";
        if (!trust.sawServer) {
            return tls.enabled()
                    ? new Probe(seed, Finding.SEED_WITHOUT_TLS, "does not speak TLS: it runs with roam.agent.tls.enabled"
                            + " = false while this agent requires TLS; give every agent of the cluster the same setting")
                    : new Probe(seed, Finding.PLAIN_ANSWER, "answers without TLS, as this agent does: not a TLS problem");
        }
        if (!tls.enabled()) {
            return new Probe(seed, Finding.SELF_WITHOUT_TLS, "requires TLS while this agent runs without it"
                    + " (roam.agent.tls.enabled = false): copy the cluster's keys to this node and remove that setting");
        }
        if (trust.refused) {
            return new Probe(seed, Finding.OTHER_KEYS, "presents a certificate this agent's trust store does not hold:"
                    + " it holds another cluster's keys; copy the cluster's key directory from a member over " + keys
                    + " and restart this agent");
        }
        if (failure != null) {
            return new Probe(seed, Finding.OTHER_KEYS, "refused this agent's certificate (" + failure.getMessage()
                    + "): this agent's keys (" + keys + ") are not the cluster's; copy the cluster's key directory from"
                    + " a member and restart this agent");
        }
        return new Probe(seed, Finding.TLS_ACCEPTED, "accepts this agent's TLS certificate: not a TLS problem");
    }

    /** A trust manager that records whether the seed showed a certificate, and whether ours refused it. */
    private static final class Recording implements X509TrustManager {
        private final X509TrustManager delegate;
        volatile boolean sawServer;
        volatile boolean refused;

        Recording(X509TrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            sawServer = true;
            if (delegate != null) {
                try {
                    delegate.checkServerTrusted(chain, authType);
                } catch (CertificateException e) {
                    refused = true;
                    throw e;
                }
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a probe is never a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate != null ? delegate.getAcceptedIssuers() : new X509Certificate[0];
        }
    }
}
