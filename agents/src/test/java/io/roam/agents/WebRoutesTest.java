package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebRoutesTest {
    @Test
    void theEventsIntervalDefaultsToOneSecondAndABadValueSaysWhatIsAllowed() {
        assertThat(WebRoutes.eventsInterval(ConfigFactory.load())).isEqualTo(Duration.ofSeconds(1));
        assertThat(WebRoutes.eventsInterval(ConfigFactory.parseString("roam.agent.http.events-interval = 200ms")))
                .isEqualTo(Duration.ofMillis(200));
        for (String bad : new String[]{"10ms", "2m"}) {
            assertThatThrownBy(() -> WebRoutes.eventsInterval(ConfigFactory.parseString(
                    "roam.agent.http.events-interval = " + bad)))
                    .hasMessageContaining("roam.agent.http.events-interval = " + bad)
                    .hasMessageContaining("allowed 200 ms to 1 min");
        }
    }

    @Test
    void theControlApiAndSoThePageAndMetricsListenOnLoopbackByDefault() {
        assertThat(ConfigFactory.load().getString("roam.agent.http.interface")).isEqualTo("127.0.0.1");
    }
}
