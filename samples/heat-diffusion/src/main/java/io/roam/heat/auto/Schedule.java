package io.roam.heat.auto;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * What happens to the hosts during a scenario run, in seconds from the job's first
 * iteration-time sample: a host throttled (and restored, or throttled and restored in turn:
 * a flapping host), busy loops started in hosts' CPU cgroups (noisy neighbours), a host's
 * agent started late (a host joining). Built from the run's options, the same in each
 * variant of a scenario (with balancing, without, the oracle), so that they see the same
 * events; {@link #due} hands out each event once its time has come.
 */
final class Schedule {
    enum Kind { THROTTLE, RESTORE, HOG, JOIN }

    /** At {@code at} s: {@code kind} on host {@code host} (0-based); a hog lasts {@code seconds}. */
    record Event(double at, Kind kind, int host, double seconds) {
        String describe(String slowCpu, String cpu) {
            return switch (kind) {
                case THROTTLE -> String.format(Locale.ROOT, "host %d throttled to %s cores", host + 1, slowCpu);
                case RESTORE -> String.format(Locale.ROOT, "host %d restored to %s cores", host + 1, cpu);
                case HOG -> String.format(Locale.ROOT, "busy loop for %.0f s in host %d's cgroup", seconds, host + 1);
                case JOIN -> String.format(Locale.ROOT, "host %d's agent starts (the host joins)", host + 1);
            };
        }
    }

    private final List<Event> events = new ArrayList<>();
    private int next;

    /**
     * From the options: --throttle H (1-based) --throttle-at S [--restore-at S | --flap PERIOD],
     * --hogs SEED [--hog-every S (8)] over hosts 1..hosts, --join H --join-at S; events up to
     * {@code duration} s.
     */
    static Schedule of(Map<String, String> opt, int hosts, double duration) {
        Schedule s = new Schedule();
        if (opt.containsKey("throttle")) {
            int h = Integer.parseInt(opt.get("throttle")) - 1;
            double at = Double.parseDouble(opt.getOrDefault("throttle-at", "15"));
            if (opt.containsKey("flap")) {
                double period = Double.parseDouble(opt.get("flap"));
                boolean slow = true;
                for (double t = at; t < duration; t += period, slow = !slow) {
                    s.events.add(new Event(t, slow ? Kind.THROTTLE : Kind.RESTORE, h, 0));
                }
            } else {
                s.events.add(new Event(at, Kind.THROTTLE, h, 0));
                if (opt.containsKey("restore-at")) {
                    s.events.add(new Event(Double.parseDouble(opt.get("restore-at")), Kind.RESTORE, h, 0));
                }
            }
        }
        if (opt.containsKey("hogs")) {
            s.events.addAll(hogs(Long.parseLong(opt.get("hogs")), hosts,
                    Double.parseDouble(opt.getOrDefault("hog-every", "8")), duration));
        }
        if (opt.containsKey("join")) {
            s.events.add(new Event(Double.parseDouble(opt.getOrDefault("join-at", "15")), Kind.JOIN,
                    Integer.parseInt(opt.get("join")) - 1, 0));
        }
        s.events.sort(Comparator.comparingDouble(Event::at));
        return s;
    }

    /**
     * Noisy neighbours: the time is cut into slots of {@code every} s; in each round of as many
     * slots as hosts, every host in a random order gets one busy loop of 2 to 6 s, starting at a
     * random time within its slot. Each host is hit as often as the others, round after round: no
     * lasting imbalance. Seeded, so that a scenario's variants get the same loops.
     */
    static List<Event> hogs(long seed, int hosts, double every, double duration) {
        Random random = new Random(seed);
        List<Event> out = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int slot = 0; (slot + 1) * every <= duration; slot++) {
            if (slot % hosts == 0) {
                order.clear();
                for (int h = 0; h < hosts; h++) {
                    order.add(h);
                }
                java.util.Collections.shuffle(order, random);
            }
            double length = 2 + 4 * random.nextDouble();
            out.add(new Event(slot * every + (every - length) * random.nextDouble(), Kind.HOG, order.get(slot % hosts),
                    length));
        }
        return out;
    }

    /** Host (0-based) whose agent starts late, or -1. */
    int joining() {
        return events.stream().filter(e -> e.kind() == Kind.JOIN).mapToInt(Event::host).findFirst().orElse(-1);
    }

    /** The events whose time has come by {@code seconds} and that were not handed out yet. */
    List<Event> due(double seconds) {
        List<Event> out = new ArrayList<>();
        while (next < events.size() && events.get(next).at() <= seconds) {
            out.add(events.get(next++));
        }
        return out;
    }

    List<Event> all() {
        return List.copyOf(events);
    }
}
