package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Text of a node's network profile (the JSON of NetworkProfile) for roam profile and roam status. */
final class NetworkText {
    private NetworkText() {
    }

    /** One line per interface: speed, rates now, bytes since boot. */
    static List<String> interfaces(JsonNode network) {
        List<String> out = new ArrayList<>();
        if (network != null && !network.isNull()) {
            for (JsonNode i : network.get("interfaces")) {
                long speed = i.get("speedMbitPerSec").asLong();
                out.add(String.format(Locale.ROOT, "interface %s: speed %s, receiving %s, sending %s (%s and %s since boot)",
                        i.get("name").asText(), speed < 0 ? "unknown" : speed + " Mbit/s",
                        rate(i.get("rxBytesPerSec").asDouble()), rate(i.get("txBytesPerSec").asDouble()),
                        bytes(i.get("rxBytes").asDouble()), bytes(i.get("txBytes").asDouble())));
            }
        }
        return out;
    }

    /** One line per probed peer: RTT, bandwidth, samples. */
    static List<String> links(JsonNode network) {
        List<String> out = new ArrayList<>();
        if (network != null && !network.isNull()) {
            for (JsonNode l : network.get("links")) {
                out.add(String.format(Locale.ROOT, "link to %s (%s): rtt %s, bandwidth %s, %d samples",
                        l.get("peerHost").asText(), l.get("peerAddress").asText(), rtt(l), bandwidth(l),
                        l.get("samples").asLong()));
            }
        }
        return out;
    }

    static String rtt(JsonNode link) {
        double ms = link.get("rttMillis").asDouble();
        return ms < 0 ? "unknown" : String.format(Locale.ROOT, "%.3g ms", ms);
    }

    static String bandwidth(JsonNode link) {
        return rate(link.get("bandwidthBytesPerSec").asDouble());
    }

    /** Bytes per second, decimal units; negative = unknown. */
    static String rate(double bytesPerSec) {
        return bytesPerSec < 0 ? "unknown" : bytes(bytesPerSec) + "/s";
    }

    static String bytes(double b) {
        if (b < 1e3) {
            return String.format(Locale.ROOT, "%.0f B", b);
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        int u = 0;
        double v = b / 1e3;
        while (v >= 1e3 && u < units.length - 1) {
            v /= 1e3;
            u++;
        }
        return String.format(Locale.ROOT, "%.3g %s", v, units[u]);
    }
}
