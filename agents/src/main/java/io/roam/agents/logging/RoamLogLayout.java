package io.roam.agents.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The one format of every log line of roam (its own loggers, Pekko's through pekko-slf4j,
 * java.util.logging and System.Logger through jul-to-slf4j), chosen by {@code format}:
 * <ul>
 *   <li>{@code text}: {@code 2025-05-04 11:59:39.494 INFO  PcmDaemon - PCM daemon listening on ...},
 *       local date and time to the millisecond, level, the logger's simple name, the message,
 *       then any exception's stack trace;</li>
 *   <li>{@code json}: one JSON object per line, {@code {"time":"2025-05-04T11:59:39.494+02:00",
 *       "level":"INFO","logger":"io.roam.agents.PcmDaemon","thread":"...","message":"...",
 *       "exception":"...","mdc":{...}}} ({@code exception} and {@code mdc} only when there is one;
 *       Pekko's events carry the actor in {@code mdc.pekkoSource}).</li>
 * </ul>
 * logback.xml sets {@code format} from ROAM_LOG_FORMAT; {@link Logging#use(String)} overrides it
 * for every instance (the agent's roam.agent.log.format).
 */
public final class RoamLogLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TEXT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter JSON_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneId.systemDefault());
    private static volatile String forced;

    private String format = "text";

    /** text or json (logback.xml's {@code <format>}); anything else is text, with a warning. */
    public void setFormat(String format) {
        String f = format == null ? "" : format.trim().toLowerCase(java.util.Locale.ROOT);
        if (!f.equals("text") && !f.equals("json")) {
            addWarn("log format " + format + " is neither text nor json: text");
            f = "text";
        }
        this.format = f;
    }

    /** Every layout's format from now on (null: each its own again). */
    static void force(String format) {
        forced = format;
    }

    @Override
    public String doLayout(ILoggingEvent e) {
        String f = forced != null ? forced : format;
        return f.equals("json") ? json(e) : text(e);
    }

    private static String text(ILoggingEvent e) {
        StringBuilder b = new StringBuilder(128);
        b.append(TEXT_TIME.format(e.getInstant())).append(' ');
        String level = e.getLevel().toString();
        b.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
        String logger = e.getLoggerName();
        b.append(logger.substring(logger.lastIndexOf('.') + 1)).append(" - ").append(e.getFormattedMessage())
                .append(CoreConstants.LINE_SEPARATOR);
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) {
            b.append(ThrowableProxyUtil.asString(t)).append(CoreConstants.LINE_SEPARATOR);
        }
        return b.toString();
    }

    private static String json(ILoggingEvent e) {
        StringBuilder b = new StringBuilder(256).append('{');
        field(b, "time", JSON_TIME.format(e.getInstant())).append(',');
        field(b, "level", e.getLevel().toString()).append(',');
        field(b, "logger", e.getLoggerName()).append(',');
        field(b, "thread", e.getThreadName()).append(',');
        field(b, "message", e.getFormattedMessage());
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) {
            field(b.append(','), "exception", ThrowableProxyUtil.asString(t));
        }
        Map<String, String> mdc = e.getMDCPropertyMap();
        if (mdc != null && !mdc.isEmpty()) {
            b.append(",\"mdc\":{");
            boolean first = true;
            for (Map.Entry<String, String> m : new java.util.TreeMap<>(mdc).entrySet()) {
                field(first ? b : b.append(','), m.getKey(), m.getValue());
                first = false;
            }
            b.append('}');
        }
        return b.append('}').append(CoreConstants.LINE_SEPARATOR).toString();
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        quote(b, name).append(':');
        return value == null ? b.append("null") : quote(b, value);
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }
}
