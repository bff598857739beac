package io.roam.profiling;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's own rate figures of this host's TCP connections, read with {@code ss -tinH}
 * (iproute2; Linux's tcp_info): each connection's last delivery-rate sample and, under BBR,
 * its bandwidth estimate (a windowed maximum of those samples). The kernel times a delivery
 * from its own sending to the peer kernel's acknowledgement, so neither agent's scheduling
 * is in it: between two agents in CPU cgroups of 0.4 cores beside a spinning rank, the agents'
 * own payload probe measured a veth link at 1 to 13 MB/s in most rounds, the kernel at
 * 1 to 6.5 GB/s in every one (docs/architecture.md, "Links"). A sample of a connection that
 * sent little (app-limited) is lower than the link allows, never higher: like the probe's,
 * every figure is a lower bound of the link's rate.
 * <p>Plain class; {@link #query} blocks on a child process (run it off the actors' threads).
 */
public final class TcpRates {
    private static final Pattern RATE = Pattern.compile(
            "(?:\\bdelivery_rate |\\bbbr:\\(bw:)([0-9.]+)([KMGT]?)bps");

    private TcpRates() {
    }

    /**
     * The best rate in bytes/s of the connections to each destination, keyed by
     * {@link #key(String, int)}, from the text {@code ss -tinH} prints: per connection an
     * address line (state, queues, local address, peer address) and an indented line of its
     * figures. Connections without a rate figure are left out.
     */
    public static Map<String, Double> parse(String ssOutput) {
        Map<String, Double> best = new HashMap<>();
        String peer = null;
        for (String line : ssOutput.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (!Character.isWhitespace(line.charAt(0))) {
                String[] f = line.trim().split("\\s+");
                peer = f.length >= 4 && !f[f.length - 1].contains("*") ? normal(f[f.length - 1]) : null;
                continue;
            }
            if (peer == null) {
                continue;
            }
            Matcher m = RATE.matcher(line);
            while (m.find()) {
                double bytesPerSec = number(m.group(1)) * scale(m.group(2)) / 8;
                if (bytesPerSec > 0 && Double.isFinite(bytesPerSec)) {
                    best.merge(peer, bytesPerSec, Math::max);
                }
            }
        }
        return best;
    }

    /** The key of a destination: its numeric address and port, IPv6 in brackets, as ss prints them. */
    public static String key(String address, int port) {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    /**
     * The best rate in bytes/s of this host's connections to {@code host:port} now (the host
     * name resolved), or empty when there is none, ss is missing, fails or takes longer than
     * {@code timeout}. Blocks.
     */
    public static OptionalDouble query(String host, int port, Duration timeout) {
        Optional<String> key = destination(host, port);
        Double rate = key.isEmpty() ? null : all(timeout).get(key.get());
        return rate == null ? OptionalDouble.empty() : OptionalDouble.of(rate);
    }

    /** The key ({@link #key}) of {@code host:port}, the host name resolved; empty when it does not resolve. Blocks. */
    public static Optional<String> destination(String host, int port) {
        try {
            return Optional.of(key(InetAddress.getByName(host).getHostAddress(), port));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * The best rate in bytes/s of this host's connections to each destination now, as
     * {@link #parse}; empty when ss is missing, fails or takes longer than {@code timeout}.
     * One run of ss for every destination. Blocks.
     */
    public static Map<String, Double> all(Duration timeout) {
        Path out = null;
        Process p = null;
        try {
            out = Files.createTempFile("roam-ss", ".txt");
            p = new ProcessBuilder("ss", "-tinH").redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                return Map.of();
            }
            return parse(Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
            if (out != null) {
                out.toFile().delete();
            }
        }
    }

    /**
     * An address as ss prints it ("10.0.0.2:2552", "[::1]:2552", "[::ffff:10.0.0.2]:2552" for an
     * IPv4 peer of a dual-stack socket) as {@link #key}: the numeric address as Java formats it.
     */
    static String normal(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            return address;
        }
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        try {
            return key(InetAddress.getByName(host).getHostAddress(), Integer.parseInt(address.substring(colon + 1)));
        } catch (UnknownHostException | NumberFormatException e) {
            return address;
        }
    }

    /** A figure ss printed, or NaN when it is not a number ("1.2.3"). */
    private static double number(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static double scale(String prefix) {
        return switch (prefix) {
            case "K" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            case "T" -> 1e12;
            default -> 1;
        };
    }
}
