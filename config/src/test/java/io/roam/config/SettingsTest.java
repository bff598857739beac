package io.roam.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsTest {
    private static Settings section(String hocon) {
        return Settings.of(ConfigFactory.parseString(hocon), "roam.x");
    }

    @Test
    void valuesInRangeAreRead() {
        Settings s = section("roam.x { n = 3, d = 1.5, t = 250ms, b = 64 KiB, p = NTS, on = true, name = a, "
                + "sub { m = 2 } }");
        assertThat(s.integer("n", 1, 3)).isEqualTo(3);
        assertThat(s.number("d", 0, 1.5)).isEqualTo(1.5);
        assertThat(s.positive("d")).isEqualTo(1.5);
        assertThat(s.duration("t", Duration.ofMillis(250), Duration.ofHours(1))).isEqualTo(Duration.ofMillis(250));
        assertThat(s.bytes("b", 1024, 1 << 20)).isEqualTo(64 * 1024);
        assertThat(s.oneOf("p", List.of("rs", "nts"))).isEqualTo("nts");
        assertThat(s.flag("on")).isTrue();
        assertThat(s.string("name")).isEqualTo("a");
        assertThat(s.section("sub").integer("m", 0, 2)).isEqualTo(2);
        assertThat(s.key("n")).isEqualTo("roam.x.n");
    }

    @Test
    void aValueOutOfRangeNamesTheFullKeyTheValueAsWrittenAndTheRange() {
        Settings s = section("roam.x { n = 0, d = 1.01, t = 11m, b = 1023, p = xyz, neg = -2.5, sub { m = 7 } }");
        assertThatThrownBy(() -> s.integer("n", 1, 1000)).isInstanceOf(Settings.Invalid.class)
                .hasMessage("invalid configuration roam.x.n = 0: allowed 1 to 1000");
        assertThatThrownBy(() -> s.number("d", 0, 1)).hasMessage("invalid configuration roam.x.d = 1.01: allowed 0 to 1");
        assertThatThrownBy(() -> s.duration("t", Duration.ZERO, Duration.ofMinutes(10)))
                .hasMessage("invalid configuration roam.x.t = 11m: allowed 0 to 10 min");
        assertThatThrownBy(() -> s.bytes("b", 1024, 16 << 20))
                .hasMessage("invalid configuration roam.x.b = 1023: allowed 1 KiB to 16 MiB");
        assertThatThrownBy(() -> s.oneOf("p", List.of("rs", "ats")))
                .hasMessage("invalid configuration roam.x.p = xyz: allowed one of rs, ats");
        assertThatThrownBy(() -> s.positive("neg"))
                .hasMessage("invalid configuration roam.x.neg = -2.5: allowed a finite number above 0");
        assertThatThrownBy(() -> s.integer("n", 1, 1000, "1 (alone) to 1000"))
                .hasMessage("invalid configuration roam.x.n = 0: allowed 1 (alone) to 1000");
        assertThatThrownBy(() -> s.section("sub").integer("m", 0, 5))
                .hasMessage("invalid configuration roam.x.sub.m = 7: allowed 0 to 5");
    }

    @Test
    void aValueOfTheWrongTypeNamesTheFullKeyAndWhatIsAllowed() {
        Settings s = section("roam.x { n = lots, t = soon, on = maybe }");
        assertThatThrownBy(() -> s.integer("n", 0, 9)).isInstanceOf(Settings.Invalid.class)
                .hasMessage("invalid configuration roam.x.n = lots: allowed 0 to 9");
        assertThatThrownBy(() -> s.duration("t", Duration.ofSeconds(1), Duration.ofHours(1)))
                .hasMessage("invalid configuration roam.x.t = soon: allowed 1 s to 1 h");
        assertThatThrownBy(() -> s.flag("on")).hasMessage("invalid configuration roam.x.on = maybe: allowed true or false");
        assertThatThrownBy(() -> s.integer("absent", 0, 9)).hasMessageStartingWith("invalid configuration roam.x.absent: ");
        assertThatThrownBy(() -> Settings.of(ConfigFactory.empty(), "roam.y"))
                .hasMessageStartingWith("invalid configuration roam.y: ");
    }

    @Test
    void theKindOfSettingsLeadsTheMessage() {
        Settings s = Settings.of(ConfigFactory.parseString("roam.simulation.nodes = 1"), "roam.simulation", "scenario");
        assertThatThrownBy(() -> s.integer("nodes", 2, 100_000))
                .hasMessage("invalid scenario roam.simulation.nodes = 1: allowed 2 to 100000");
        assertThat(s.bad("nodes", "at least 2").getMessage())
                .isEqualTo("invalid scenario roam.simulation.nodes = 1: allowed at least 2");
    }

    @Test
    void durationsAndSizesAreShownAsWritten() {
        assertThat(Settings.format(Duration.ZERO)).isEqualTo("0");
        assertThat(Settings.format(Duration.ofMillis(100))).isEqualTo("100 ms");
        assertThat(Settings.format(Duration.ofMillis(1500))).isEqualTo("1500 ms");
        assertThat(Settings.format(Duration.ofSeconds(90))).isEqualTo("90 s");
        assertThat(Settings.format(Duration.ofMinutes(10))).isEqualTo("10 min");
        assertThat(Settings.format(Duration.ofHours(1))).isEqualTo("1 h");
        assertThat(Settings.format(Duration.ofNanos(1500))).isEqualTo("1500 ns");
        assertThat(Settings.formatBytes(0)).isEqualTo("0");
        assertThat(Settings.formatBytes(1000)).isEqualTo("1000 bytes");
        assertThat(Settings.formatBytes(1536)).isEqualTo("1536 bytes");
        assertThat(Settings.formatBytes(100L << 30)).isEqualTo("100 GiB");
        assertThat(Settings.formatBytes(1L << 40)).isEqualTo("1 TiB");
        assertThat(Settings.format(0.95)).isEqualTo("0.95");
        assertThat(Settings.format(-1.0)).isEqualTo("-1");
    }
}
