package io.roam.agents;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: every
 * line is a HELP, a TYPE, another comment or a sample; every sample belongs to a family whose
 * TYPE came first; no series twice; histogram buckets cumulative and ending in +Inf = _count.
 * Anything else fails with the line number.
 */
final class PrometheusText {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)})? (\\S+)( -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(Inf|NaN|[0-9]*\\.?[0-9]+([eE][+-]?[0-9]+)?|[0-9]+\\.)");

    /** One sample: its metric name, labels and value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    final Map<String, String> types = new LinkedHashMap<>();
    final List<Sample> samples = new ArrayList<>();

    static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a newline");
        }
        Set<String> helps = new java.util.HashSet<>();
        Set<String> series = new java.util.HashSet<>();
        Set<String> sampled = new java.util.HashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            int no = i + 1;
            Matcher m;
            if (line.isEmpty()) {
                continue;
            } else if ((m = HELP.matcher(line)).matches()) {
                if (!helps.add(m.group(1))) {
                    throw bad(no, "second HELP for " + m.group(1));
                }
            } else if ((m = TYPE.matcher(line)).matches()) {
                if (p.types.containsKey(m.group(1)) || sampled.contains(m.group(1))) {
                    throw bad(no, "TYPE of " + m.group(1) + " repeated or after its samples");
                }
                p.types.put(m.group(1), m.group(2));
            } else if (line.startsWith("#")) {
                if (line.startsWith("# HELP") || line.startsWith("# TYPE")) {
                    throw bad(no, "malformed " + line);
                }
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                Map<String, String> labels = labels(no, m.group(3));
                if (!NUMBER.matcher(m.group(4)).matches()) {
                    throw bad(no, "value " + m.group(4) + " is not a number");
                }
                String family = p.family(m.group(1), labels);
                if (family == null) {
                    throw bad(no, "sample " + m.group(1) + " of no declared family");
                }
                sampled.add(family);
                if (!series.add(m.group(1) + new TreeMap<>(labels))) {
                    throw bad(no, "series repeated: " + line);
                }
                p.samples.add(new Sample(m.group(1), labels, parseValue(m.group(4))));
            } else {
                throw bad(no, "neither comment nor sample: " + line);
            }
        }
        p.checkHistograms();
        return p;
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    private static Map<String, String> labels(int no, String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        Matcher m = LABEL.matcher(text);
        int at = 0;
        while (m.find() && m.start() == at) {
            if (out.put(m.group(1), m.group(2)) != null) {
                throw bad(no, "label " + m.group(1) + " twice");
            }
            at = m.end();
            if (at < text.length()) {
                if (text.charAt(at) != ',') {
                    throw bad(no, "labels not separated by commas: " + text);
                }
                at++;
            }
        }
        if (at != text.length()) {
            throw bad(no, "malformed labels: " + text);
        }
        return out;
    }

    /** The declared family a sample belongs to, or null. */
    private String family(String name, Map<String, String> labels) {
        if (types.containsKey(name) && !"histogram".equals(types.get(name))) {
            return name;
        }
        for (String suffix : new String[]{"_bucket", "_count", "_sum"}) {
            if (name.endsWith(suffix)) {
                String f = name.substring(0, name.length() - suffix.length());
                String type = types.get(f);
                if ("histogram".equals(type) && (!suffix.equals("_bucket") || labels.containsKey("le"))) {
                    return f;
                }
                if ("summary".equals(type) && !suffix.equals("_bucket")) {
                    return f;
                }
            }
        }
        return null;
    }

    private void checkHistograms() {
        Map<String, TreeMap<Double, Double>> buckets = new HashMap<>();
        for (Sample s : samples) {
            if (s.name().endsWith("_bucket")) {
                Map<String, String> rest = new TreeMap<>(s.labels());
                double le = parseValue(rest.remove("le"));
                buckets.computeIfAbsent(s.name().replaceAll("_bucket$", "") + rest, k -> new TreeMap<>())
                        .put(le, s.value());
            }
        }
        for (Map.Entry<String, TreeMap<Double, Double>> e : buckets.entrySet()) {
            double prev = 0;
            for (double v : e.getValue().values()) {
                if (v < prev) {
                    throw new IllegalArgumentException("buckets of " + e.getKey() + " not cumulative: " + e.getValue());
                }
                prev = v;
            }
            if (!e.getValue().containsKey(Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("no +Inf bucket in " + e.getKey());
            }
        }
        for (Sample s : samples) {
            if (s.name().endsWith("_count") && "histogram".equals(types.get(s.name().replaceAll("_count$", "")))) {
                String key = s.name().replaceAll("_count$", "") + new TreeMap<>(s.labels());
                TreeMap<Double, Double> b = buckets.get(key);
                if (b == null || b.get(Double.POSITIVE_INFINITY) != s.value()) {
                    throw new IllegalArgumentException("_count of " + key + " is not its +Inf bucket");
                }
            }
        }
    }

    /** The value of the one sample with this name and these labels (a subset of its labels). */
    double value(String name, Map<String, String> labels) {
        List<Sample> found = samples.stream().filter(s -> s.name().equals(name)
                && s.labels().entrySet().containsAll(labels.entrySet())).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples " + name + labels + " in " + samples.size());
        }
        return found.get(0).value();
    }

    /** The bucket counts of a histogram series, by upper bound. */
    TreeMap<Double, Double> buckets(String family, Map<String, String> labels) {
        TreeMap<Double, Double> out = new TreeMap<>();
        for (Sample s : samples) {
            if (s.name().equals(family + "_bucket") && s.labels().entrySet().containsAll(labels.entrySet())) {
                out.put(parseValue(s.labels().get("le")), s.value());
            }
        }
        return out;
    }

    private static IllegalArgumentException bad(int line, String what) {
        return new IllegalArgumentException("line " + line + ": " + what);
    }
}
