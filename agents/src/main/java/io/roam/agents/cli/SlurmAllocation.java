package io.roam.agents.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Slurm allocation {@code roam run} runs in ({@code salloc}, {@code sbatch}), as Slurm
 * describes it in the environment: the job's id (SLURM_JOB_ID), its nodes in Slurm's compressed
 * host list syntax (SLURM_JOB_NODELIST, such as {@code node[1-3,07-08],gpu1}) and the tasks of
 * each node (SLURM_TASKS_PER_NODE, such as {@code 2(x3),1}).
 *
 * @param jobId the Slurm job's id
 * @param nodes the allocation's node names, in Slurm's order
 * @param tasks the tasks (slots) of each node, in the same order
 */
record SlurmAllocation(String jobId, List<String> nodes, List<Integer> tasks) {
    /** The most nodes a host list may expand to (a bound against a typo like {@code n[1-999999999]}). */
    static final int MAX_HOSTS = 65536;

    private static final Pattern RANGE = Pattern.compile("(\\d+)(?:-(\\d+))?");
    private static final Pattern COUNT = Pattern.compile("(\\d+)(?:\\(x(\\d+)\\))?");

    SlurmAllocation {
        nodes = List.copyOf(nodes);
        tasks = List.copyOf(tasks);
    }

    /**
     * The allocation of this environment, or empty outside one (no SLURM_JOB_ID). Throws
     * IllegalArgumentException, saying which variable is wrong, when the variables are
     * there but cannot be read.
     */
    static Optional<SlurmAllocation> fromEnv(Map<String, String> env) {
        String id = env.getOrDefault("SLURM_JOB_ID", env.get("SLURM_JOBID"));
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        String listVar = env.containsKey("SLURM_JOB_NODELIST") ? "SLURM_JOB_NODELIST" : "SLURM_NODELIST";
        String list = env.get(listVar);
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException("SLURM_JOB_ID is set (" + id + ") but SLURM_JOB_NODELIST is not:"
                    + " run inside salloc or sbatch, or unset SLURM_JOB_ID");
        }
        List<String> nodes = expandHostlist(list);
        String countVar = env.containsKey("SLURM_TASKS_PER_NODE") ? "SLURM_TASKS_PER_NODE" : "SLURM_JOB_CPUS_PER_NODE";
        String counts = env.get(countVar);
        if (counts == null || counts.isBlank()) {
            throw new IllegalArgumentException("neither SLURM_TASKS_PER_NODE nor SLURM_JOB_CPUS_PER_NODE is set in"
                    + " Slurm job " + id + ": the slots of its nodes are unknown");
        }
        List<Integer> tasks = expandCounts(counts);
        if (tasks.size() != nodes.size()) {
            throw new IllegalArgumentException(countVar + "=" + counts + " gives " + tasks.size() + " nodes, "
                    + listVar + "=" + list + " " + nodes.size());
        }
        return Optional.of(new SlurmAllocation(id.trim(), nodes, tasks));
    }

    /** The slots Slurm gives {@code node} (0 when it is not one of the allocation's). */
    int tasksOf(String node) {
        int i = nodes.indexOf(node);
        return i < 0 ? 0 : tasks.get(i);
    }

    /**
     * Expands a Slurm host list: comma-separated names, each with any number of bracketed
     * groups of numbers and ranges ({@code rack[1-2]-n[01-03,7]}: every combination, in order);
     * a range keeps the zero padding of its low bound ({@code [08-10]}: 08, 09, 10).
     */
    static List<String> expandHostlist(String list) {
        List<String> out = new ArrayList<>();
        for (String expr : splitTopLevel(list.trim(), list)) {
            if (expr.isEmpty()) {
                throw bad(list, "an empty name");
            }
            List<String> names = new ArrayList<>(List.of(""));
            int i = 0;
            while (i < expr.length()) {
                int open = expr.indexOf('[', i);
                int close = open < 0 ? -1 : expr.indexOf(']', open);
                if (open >= 0 && close < 0) {
                    throw bad(list, "a '[' without ']'");
                }
                String text = expr.substring(i, open < 0 ? expr.length() : open);
                if (text.indexOf(']') >= 0) {
                    throw bad(list, "a ']' without '['");
                }
                names.replaceAll(n -> n + text);
                if (open < 0) {
                    break;
                }
                List<String> numbers = ranges(expr.substring(open + 1, close), list);
                List<String> product = new ArrayList<>();
                for (String n : names) {
                    for (String num : numbers) {
                        product.add(n + num);
                    }
                    if (out.size() + product.size() > MAX_HOSTS) {
                        throw bad(list, "more than " + MAX_HOSTS + " hosts");
                    }
                }
                names = product;
                i = close + 1;
            }
            out.addAll(names);
            if (out.size() > MAX_HOSTS) {
                throw bad(list, "more than " + MAX_HOSTS + " hosts");
            }
        }
        return out;
    }

    /** Expands Slurm's per-node counts: {@code 2(x3),1} is 2, 2, 2, 1. */
    static List<Integer> expandCounts(String counts) {
        List<Integer> out = new ArrayList<>();
        for (String part : counts.trim().split(",", -1)) {
            Matcher m = COUNT.matcher(part.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("cannot read Slurm's per-node counts '" + counts + "': '" + part
                        + "' is not N or N(xM)");
            }
            long repeat = m.group(2) == null ? 1 : Long.parseLong(m.group(2));
            if (out.size() + repeat > MAX_HOSTS) {
                throw new IllegalArgumentException("cannot read Slurm's per-node counts '" + counts + "': more than "
                        + MAX_HOSTS + " nodes");
            }
            int n = Integer.parseInt(m.group(1));
            for (long r = 0; r < repeat; r++) {
                out.add(n);
            }
        }
        return out;
    }

    private static List<String> ranges(String inside, String list) {
        List<String> out = new ArrayList<>();
        for (String r : inside.split(",", -1)) {
            Matcher m = RANGE.matcher(r);
            if (!m.matches()) {
                throw bad(list, "'[" + inside + "]' holds '" + r + "', not a number or a range a-b");
            }
            String lo = m.group(1);
            String hi = m.group(2) == null ? lo : m.group(2);
            if (lo.length() > 9 || hi.length() > 9) {
                throw bad(list, "a number of more than 9 digits");
            }
            long from = Long.parseLong(lo);
            long to = Long.parseLong(hi);
            if (to < from) {
                throw bad(list, "the range " + r + " goes down");
            }
            if (to - from + out.size() >= MAX_HOSTS) {
                throw bad(list, "more than " + MAX_HOSTS + " hosts");
            }
            String format = lo.length() > 1 && lo.startsWith("0") ? "%0" + lo.length() + "d" : "%d";
            for (long v = from; v <= to; v++) {
                out.add(String.format(format, v));
            }
        }
        return out;
    }

    /** The list split at its commas outside brackets. */
    private static List<String> splitTopLevel(String s, String list) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[') {
                depth++;
                if (depth > 1) {
                    throw bad(list, "brackets inside brackets");
                }
            } else if (c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i).trim());
                start = i + 1;
            } else if (Character.isWhitespace(c)) {
                throw bad(list, "a space");
            }
        }
        out.add(s.substring(start).trim());
        return out;
    }

    private static IllegalArgumentException bad(String list, String why) {
        return new IllegalArgumentException("cannot read Slurm's host list '" + list + "': " + why);
    }
}
