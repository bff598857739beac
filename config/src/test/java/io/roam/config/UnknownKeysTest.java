package io.roam.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnknownKeysTest {
    private static final Config REFERENCE = ConfigFactory.parseString(
            "roam.agent { max-neighbours = 10, slots = 0, http { port = 7170, events-interval = 1s } }\n"
                    + "roam.stealing { period = 2s }\nother { anything = 1 }");

    private static Config user(String hocon) {
        return ConfigFactory.parseString(hocon, com.typesafe.config.ConfigParseOptions.defaults()
                .setOriginDescription("--set")).withFallback(REFERENCE);
    }

    @Test
    void aMisspeltKeyNamesItselfWhereItWasSetAndTheNearestKnownKey() {
        assertThatThrownBy(() -> UnknownKeys.check(user("roam.agent.max-neigbours = 5"), REFERENCE, "roam"))
                .isInstanceOf(Settings.Invalid.class)
                .hasMessageStartingWith("unknown configuration key roam.agent.max-neigbours (set in --set: 1):"
                        + " did you mean roam.agent.max-neighbours?")
                .hasMessageContaining("Correct or remove it")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> UnknownKeys.check(user("roam.agent.http.events-intervall = 2s"), REFERENCE, "roam"))
                .hasMessageContaining("did you mean roam.agent.http.events-interval?");
        assertThatThrownBy(() -> UnknownKeys.check(user("roam.stealing.perod = 2s"), REFERENCE, "roam"))
                .hasMessageContaining("did you mean roam.stealing.period?");
    }

    @Test
    void knownKeysAndKeysOutsideTheNamespacePass() {
        assertThatCode(() -> UnknownKeys.check(user("roam.agent.slots = 4\nother.unheard-of = 1\npekko.x = 2"),
                REFERENCE, "roam")).doesNotThrowAnyException();
        assertThatCode(() -> UnknownKeys.check(REFERENCE, REFERENCE, "roam")).doesNotThrowAnyException();
    }

    @Test
    void aKeyFarFromEveryKnownKeyGetsNoGuessAndSeveralAreCounted() {
        assertThatThrownBy(() -> UnknownKeys.check(user("roam.zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz = 1"),
                REFERENCE, "roam"))
                .hasMessageStartingWith("unknown configuration key roam.zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
                        + " (set in --set: 1): Correct")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("did you mean"));
        assertThatThrownBy(() -> UnknownKeys.check(user("roam.agent.a = 1\nroam.agent.b = 2\nroam.agent.c = 3"),
                REFERENCE, "roam"))
                .hasMessageContaining("unknown configuration key roam.agent.a")
                .hasMessageContaining("2 more unknown: roam.agent.b, roam.agent.c");
        // a value where the reference has a section is a key the reference does not have either
        assertThatThrownBy(() -> UnknownKeys.check(user("roam.agent.slots.x = 1"), REFERENCE, "roam"))
                .hasMessageContaining("did you mean roam.agent.slots?");
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertThat(UnknownKeys.distance("max-neigbours", "max-neighbours")).isEqualTo(1);
        assertThat(UnknownKeys.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(UnknownKeys.distance("", "abc")).isEqualTo(3);
        assertThat(UnknownKeys.distance("same", "same")).isZero();
        assertThat(UnknownKeys.nearest("roam.agent.slot", List.of("roam.agent.slots", "roam.agent.host")))
                .contains("roam.agent.slots");
        assertThat(UnknownKeys.nearest("roam.x", List.of())).isEmpty();
    }
}
