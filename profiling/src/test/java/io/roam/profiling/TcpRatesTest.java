package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class TcpRatesTest {
    /** Two connections as ss 6.1 printed them (the sender of a 64 KiB burst under BBR, and one under cubic). */
    private static final String SS = """
            ESTAB 0      0      10.239.0.1:44706 10.239.0.2:9000
            \t bbr wscale:10,10 rto:204 rtt:0.027/0.016 mss:32768 cwnd:13 bytes_sent:65636 \
            bbr:(bw:58254218744bps,mrtt:0.003,pacing_gain:2.88672,cwnd_gain:2.88672) send 126217481481bps \
            pacing_rate 226833702760bps delivery_rate 1040800000bps delivered:4 app_limited minrtt:0.009
            ESTAB 0      0      [::ffff:10.239.0.1]:2552 [::ffff:10.239.0.3]:41000
            \t cubic wscale:7,7 rto:204 rtt:0.05/0.02 mss:1448 cwnd:10 send 2.3Gbps delivery_rate 81.3Mbps minrtt:0.04
            ESTAB 0      0      [::1]:5000 [::1]:6000
            \t cubic rto:204 rtt:0.05/0.02 mss:1448 cwnd:10 send 2.3Gbps lastsnd:40
            """;

    @Test
    void eachDestinationGetsTheBestRateItsConnectionsShow() {
        Map<String, Double> rates = TcpRates.parse(SS);
        // BBR's estimate (the best of its recent samples) above the last delivery rate: the best counts
        assertThat(rates.get("10.239.0.2:9000")).isCloseTo(58254218744.0 / 8, within(1.0));
        // an IPv4 peer of a dual-stack socket, and the prefixed unit
        assertThat(rates.get("10.239.0.3:41000")).isCloseTo(81.3e6 / 8, within(1.0));
        // "send" (cwnd / rtt, a figure of what could be sent, not of what was delivered) does not count
        assertThat(rates).hasSize(2);
    }

    @Test
    void keysAreNumericAddressesAsJavaFormatsThem() {
        assertThat(TcpRates.key("10.0.0.2", 2552)).isEqualTo("10.0.0.2:2552");
        assertThat(TcpRates.normal("[::ffff:10.0.0.2]:2552")).isEqualTo("10.0.0.2:2552");
        assertThat(TcpRates.normal("[::1]:6000")).isEqualTo(TcpRates.key("0:0:0:0:0:0:0:1", 6000));
        assertThat(TcpRates.parse("garbage\n\tdelivery_rate 5bps\n")).isEmpty();
        assertThat(TcpRates.parse("ESTAB 0 0 10.0.0.1:1 10.0.0.2:2\n\tdelivery_rate 1.2.3Mbps bbr:(bw:.bps\n"))
                .as("figures that are not numbers").isEmpty();
    }

    /** The kernel's figures of a real connection: a burst of 1 MiB over loopback, at GB/s as far as the kernel knows. */
    @Test
    void theKernelReportsTheRateOfARealConnection() throws Exception {
        Assumptions.assumeTrue(System.getenv("CI") != null || onPath("ss"),
                "ss (iproute2) is not installed here; CI installs it");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            Thread reader = new Thread(() -> {
                try (InputStream in = accepted.getInputStream()) {
                    in.transferTo(OutputStream.nullOutputStream());
                } catch (Exception ignored) {
                    // the client closed
                }
            });
            reader.start();
            OutputStream out = client.getOutputStream();
            out.write(new byte[1 << 20]);
            out.flush();
            OptionalDouble rate = TcpRates.query("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(5));
            System.out.printf("loopback: the kernel's rate %.0f MB/s%n", rate.orElse(-1) / 1e6);
            // loopback moves GB/s; 10 MB/s is far below what any kernel delivers there
            assertThat(rate).isPresent();
            assertThat(rate.getAsDouble()).isGreaterThan(10e6);
            assertThat(TcpRates.query("127.0.0.1", 1, Duration.ofSeconds(5))).as("no connection to port 1").isEmpty();
            client.shutdownOutput();
            reader.join(5000);
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (new java.io.File(dir, program).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
