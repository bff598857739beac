package io.roam.agents.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RoamLogLayoutTest {
    private static final LoggerContext CONTEXT = (LoggerContext) LoggerFactory.getILoggerFactory();

    @AfterEach
    void eachLayoutItsOwnFormatAgain() {
        RoamLogLayout.force(null);
    }

    private static LoggingEvent event(String message, Throwable t) {
        Logger logger = CONTEXT.getLogger("io.roam.agents.PcmDaemon");
        LoggingEvent e = new LoggingEvent("x", logger, Level.WARN, message, t, null);
        e.setMDCPropertyMap(Map.of("pekkoSource", "pekko://roam/user/pcm-daemon"));
        return e;
    }

    private static RoamLogLayout layout(String format) {
        RoamLogLayout l = new RoamLogLayout();
        l.setContext(CONTEXT);
        l.setFormat(format);
        l.start();
        return l;
    }

    @Test
    void textHasTheDateAndTimeTheLevelTheLoggerAndTheMessage() {
        String line = layout("text").doLayout(event("PCM daemon listening", null));
        assertThat(line).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} WARN  PcmDaemon - PCM daemon"
                + " listening\\R");
        assertThat(layout("TEXT ").doLayout(event("x", null))).contains("WARN  PcmDaemon - x");
    }

    @Test
    void jsonIsOneObjectPerLineWithEveryFieldEscaped() throws Exception {
        String line = layout("json").doLayout(event("a \"quoted\"\tline\nand a second \\ \u0001",
                new IllegalStateException("boom")));
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode j = new ObjectMapper().readTree(line);
        assertThat(j.get("time").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})");
        assertThat(j.get("level").asText()).isEqualTo("WARN");
        assertThat(j.get("logger").asText()).isEqualTo("io.roam.agents.PcmDaemon");
        assertThat(j.get("message").asText()).isEqualTo("a \"quoted\"\tline\nand a second \\ \u0001");
        assertThat(j.get("exception").asText()).startsWith("java.lang.IllegalStateException: boom").contains("\tat ");
        assertThat(j.get("mdc").get("pekkoSource").asText()).isEqualTo("pekko://roam/user/pcm-daemon");
        assertThat(new ObjectMapper().readTree(layout("json").doLayout(event("plain", null))).has("exception"))
                .isFalse();
    }

    @Test
    void theAgentsSettingOverridesEveryLayoutAndAnUnknownFormatIsText() {
        RoamLogLayout text = layout("text");
        Logging.use("json");
        assertThat(text.doLayout(event("m", null))).startsWith("{\"time\":");
        Logging.use("text");
        assertThat(layout("json").doLayout(event("m", null))).doesNotStartWith("{");
        RoamLogLayout.force(null);
        assertThat(layout("xml").doLayout(event("m", null))).contains("WARN  PcmDaemon - m");
    }

    @Test
    void javaUtilLoggingAndSystemLoggerReachLogback() {
        Logging.init();
        Logger roam = CONTEXT.getLogger("io.roam");
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        roam.addAppender(seen);
        try {
            java.util.logging.Logger.getLogger("io.roam.test.Jul").warning("from java.util.logging");
            System.getLogger("io.roam.test.SystemLogger").log(System.Logger.Level.WARNING, "from System.Logger");
        } finally {
            roam.detachAppender(seen);
        }
        assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage)
                .contains("from java.util.logging", "from System.Logger");
        assertThat(seen.list).extracting(ILoggingEvent::getLoggerName)
                .contains("io.roam.test.Jul", "io.roam.test.SystemLogger");
    }
}
