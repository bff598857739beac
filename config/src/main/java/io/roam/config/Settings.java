package io.roam.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * One section of the configuration ({@code roam.agent}, {@code roam.stealing}, ...) read with
 * bounds: the one settings reader of every module. Each getter takes a key relative to the
 * section and what is allowed; a value out of range or of the wrong type fails with
 * {@link Invalid}, whose message names the full key, the value as written and what is
 * allowed: {@code invalid configuration roam.agent.slots = -1: allowed 0 to 4096}. Durations
 * and sizes are shown as people write them (100 ms, 10 min, 1 h; 1 KiB, 16 MiB).
 */
public final class Settings {
    private final Config section;
    private final String path;
    private final String kind;

    private Settings(Config section, String path, String kind) {
        this.section = section;
        this.path = path;
        this.kind = kind;
    }

    /** A bad setting: the message names the key, the value and what is allowed. */
    public static final class Invalid extends IllegalArgumentException {
        /** {@code invalid configuration KEY = VALUE: allowed ALLOWED}. */
        public Invalid(String key, Object value, String allowed) {
            this("configuration", key, value, allowed);
        }

        /** {@code invalid KIND KEY = VALUE: allowed ALLOWED} (kind: configuration, scenario...). */
        public Invalid(String kind, String key, Object value, String allowed) {
            super("invalid " + kind + " " + key + " = " + value + ": allowed " + allowed);
        }

        /** A message of its own, for rules between several keys. */
        public Invalid(String message) {
            super(message);
        }

        Invalid(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The section {@code path} of {@code root} (for example "roam.agent"). */
    public static Settings of(Config root, String path) {
        return of(root, path, "configuration");
    }

    /** The same, its errors saying "invalid KIND" (the simulator says "scenario"). */
    public static Settings of(Config root, String path, String kind) {
        try {
            return new Settings(root.getConfig(path), path, kind);
        } catch (ConfigException e) {
            throw new Invalid("invalid " + kind + " " + path + ": " + e.getMessage(), e);
        }
    }

    /** The subsection {@code relative} of this one, with the same kind of errors. */
    public Settings section(String relative) {
        return read(relative, "a section", () -> new Settings(section.getConfig(relative), key(relative), kind));
    }

    /** The full key of {@code relative}, such as roam.agent.slots for slots. */
    public String key(String relative) {
        return path + "." + relative;
    }

    /** The value of {@code relative} as written (a string without its quotes), for messages. */
    public Object written(String relative) {
        try {
            ConfigValue v = section.getValue(relative);
            return v.unwrapped();
        } catch (ConfigException e) {
            return "(not set)";
        }
    }

    /** The error for {@code relative} = {@code value}, naming its full key and what is allowed. */
    public Invalid bad(String relative, Object value, String allowed) {
        return new Invalid(kind, key(relative), value, allowed);
    }

    /** The error for the value of {@code relative} as written. */
    public Invalid bad(String relative, String allowed) {
        return bad(relative, written(relative), allowed);
    }

    public String string(String relative) {
        return read(relative, "a string", () -> section.getString(relative));
    }

    public boolean flag(String relative) {
        return read(relative, "true or false", () -> section.getBoolean(relative));
    }

    /** An integer from min to max. */
    public int integer(String relative, int min, int max) {
        return integer(relative, min, max, min + " to " + max);
    }

    /** An integer from min to max; {@code allowed} says so in the error (e.g. "0 (never) to 1000"). */
    public int integer(String relative, int min, int max, String allowed) {
        int v = read(relative, allowed, () -> section.getInt(relative));
        if (v < min || v > max) {
            throw bad(relative, allowed);
        }
        return v;
    }

    /** A number from min to max (NaN is refused). */
    public double number(String relative, double min, double max) {
        return number(relative, min, max, format(min) + " to " + format(max));
    }

    public double number(String relative, double min, double max, String allowed) {
        double v = read(relative, allowed, () -> section.getDouble(relative));
        if (!(v >= min && v <= max)) {
            throw bad(relative, allowed);
        }
        return v;
    }

    /** A finite number above 0. */
    public double positive(String relative) {
        String allowed = "a finite number above 0";
        double v = read(relative, allowed, () -> section.getDouble(relative));
        if (!(v > 0) || Double.isInfinite(v)) {
            throw bad(relative, allowed);
        }
        return v;
    }

    /** A duration from min to max. */
    public Duration duration(String relative, Duration min, Duration max) {
        return duration(relative, min, max, format(min) + " to " + format(max));
    }

    public Duration duration(String relative, Duration min, Duration max, String allowed) {
        Duration d = read(relative, allowed, () -> section.getDuration(relative));
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw bad(relative, allowed);
        }
        return d;
    }

    /** A size in bytes (1024, 64 KiB, 16 MiB...) from min to max. */
    public long bytes(String relative, long min, long max) {
        return bytes(relative, min, max, formatBytes(min) + " to " + formatBytes(max));
    }

    public long bytes(String relative, long min, long max, String allowed) {
        long v = read(relative, allowed, () -> section.getBytes(relative));
        if (v < min || v > max) {
            throw bad(relative, allowed);
        }
        return v;
    }

    /** One of {@code allowed}, compared in lower case; the error lists them. */
    public String oneOf(String relative, Collection<String> allowed) {
        String what = "one of " + String.join(", ", allowed);
        String v = read(relative, what, () -> section.getString(relative)).toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw bad(relative, what);
        }
        return v;
    }

    /**
     * Reads a key, turning Typesafe Config's errors into {@link Invalid} with the full key: a
     * value of the wrong type says what is allowed, a missing or null one says what is wrong.
     */
    private <T> T read(String relative, String allowed, Supplier<T> getter) {
        try {
            return getter.get();
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw new Invalid("invalid " + kind + " " + key(relative) + " = " + written(relative) + ": allowed "
                    + allowed, e);
        } catch (ConfigException e) {
            throw new Invalid("invalid " + kind + " " + key(relative) + ": " + e.getMessage(), e);
        }
    }

    /** 0.95, 1, -1: whole numbers without ".0". */
    public static String format(double v) {
        return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** 0, 250 ms, 2 s, 10 min, 1 h: the largest unit that divides the duration. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        if (d.getNano() % 1_000_000 != 0) {
            return d.toNanos() + " ns";
        }
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + " h";
        } else if (ms % 60_000 == 0) {
            return ms / 60_000 + " min";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + " s";
        }
        return ms + " ms";
    }

    /** 0, 1000 bytes, 1 KiB, 16 MiB, 100 GiB, 1 TiB: the largest binary unit that divides the size. */
    public static String formatBytes(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (bytes == 0) {
            return "0";
        }
        String shown = bytes + " bytes";
        long v = bytes;
        for (String unit : units) {
            if (v % 1024 != 0) {
                break;
            }
            v /= 1024;
            shown = v + " " + unit;
        }
        return shown;
    }
}
