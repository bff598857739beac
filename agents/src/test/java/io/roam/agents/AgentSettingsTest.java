package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import io.roam.agents.cli.RoamCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every roam.agent key is validated at start: a bad value names the key, the value and what is allowed. */
class AgentSettingsTest {
    private static AgentSettings with(String hocon) {
        Config c = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
        return AgentSettings.from(c);
    }

    @Test
    void theEmbeddedDefaultsAreValid() {
        AgentSettings s = with("");
        assertThat(s.topology()).isEqualTo("p2p");
        assertThat(s.maxNeighbours()).isEqualTo(10);
        assertThat(s.slots()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(s.heartbeat()).isEqualTo(Duration.ofSeconds(1));
        // the socket libpcm finds without ROAM_AGENT_SOCKET: root's under /run/roam, the user's otherwise
        assertThat(s.pcmSocket()).isEqualTo(RoamPaths.runtimeDir().resolve("agent-" + s.host() + ".sock"));
        assertThat(s.httpPort()).isEqualTo(7170);
        // nothing listens beyond this machine unless asked: the control API, the web view and
        // /metrics share the HTTP endpoint, bound to loopback; Artery too
        assertThat(s.httpInterface()).isEqualTo("127.0.0.1");
        assertThat(com.typesafe.config.ConfigFactory.load().getString("pekko.remote.artery.canonical.hostname"))
                .isEqualTo("127.0.0.1");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "roam.agent.topology | star | one of p2p",
        "roam.agent.max-neighbours | 0 | 1 to 1000",
        "roam.agent.max-neighbours | 1001 | 1 to 1000",
        "roam.agent.slots | -1 | 0 to 4096",
        "roam.agent.cluster | \"a b\" | 1 to 64 of",
        "roam.agent.pcm.socket | relative.sock | an absolute path",
        "roam.agent.pcm.heartbeat | 2h | = 2h: allowed 0 to 1 h",
        "roam.agent.migration.timeout | 10ms | = 10ms: allowed 1 s to 1 h",
        "roam.agent.http.port | 70000 | 0 to 65535",
        "roam.agent.status-timeout | 5m | = 5m: allowed 100 ms to 1 min",
        "roam.agent.drain.deadline | 2h | 1 s to 1 h",
        "roam.agent.drain.deadline | 0s | 1 s to 1 h"})
    void aBadValueFailsWithTheKeyTheValueAndWhatIsAllowed(String key, String value, String allowed) {
        assertThatThrownBy(() -> with(key + " = " + value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(key).hasMessageContaining(allowed);
    }

    @Test
    void aValueOfTheWrongTypeNamesTheKey() {
        assertThatThrownBy(() -> with("roam.agent.max-neighbours = lots"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-neighbours");
    }

    @Test
    void roamAgentRefusesBadOptionsWithAMessage() {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            assertThat(RoamCli.execute("agent", "--topology", "star", "--http-port", "0", "--port", "0"))
                    .isEqualTo(2);
            assertThat(RoamCli.execute("agent", "--seed", "no-port-here")).isEqualTo(2);
        } finally {
            System.setErr(err);
        }
        assertThat(buf.toString()).contains("roam.agent.topology = star", "--seed must be HOST:PORT");
    }
}
