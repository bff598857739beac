package io.roam.heat.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The scenarios of benchmarks/autonomy.sh (issue 19, "What must be shown"), each as the
 * options of scripts/auto-demo.sh --scenario (io.roam.heat.auto.ScenarioRun) for its three
 * variants: with balancing (the agents stealing, default protocol, demo tuning), without
 * (the same agents with stealing off), and the oracle (stealing off, the ranks placed from
 * the start where the script knows they run best; absent where the job's own placement is
 * already the best, and then the run without balancing is the oracle).
 *
 * <p>Times are seconds from the job's first iteration-time sample; the judged window is where
 * the iteration times of the variants are compared (after a grace for the agents' reaction
 * where something happens).
 */
final class AutonomyScenarios {
    /**
     * One scenario; {@code oracle} null when the no-balancing run is the oracle; {@code env}
     * what its runs of scripts/auto-demo.sh get in their environment besides the machine's.
     */
    record Scenario(int number, String name, String title, boolean helpable, double from, double to,
                    List<String> common, List<String> oracle, String story, Map<String, String> env) {
        Scenario(int number, String name, String title, boolean helpable, double from, double to,
                 List<String> common, List<String> oracle, String story) {
            this(number, name, title, helpable, from, to, common, oracle, story, HOSTS);
        }

        List<String> variant(String v) {
            List<String> args = new ArrayList<>(List.of("--scenario", name, "--duration", fmt(to)));
            switch (v) {
                case BALANCING -> {
                    args.addAll(common);
                    args.addAll(List.of("--stealing", "on"));
                }
                case NO_BALANCING -> {
                    args.addAll(common);
                    args.addAll(List.of("--stealing", "off"));
                }
                case ORACLE -> {
                    args.addAll(oracle);
                    args.addAll(List.of("--stealing", "off"));
                }
                default -> throw new IllegalArgumentException(v);
            }
            return args;
        }

        List<String> variants() {
            return oracle == null ? List.of(BALANCING, NO_BALANCING) : List.of(BALANCING, NO_BALANCING, ORACLE);
        }
    }

    /**
     * The hosts of every scenario: 0.4 cores each, the quota enforced per 2.5 ms (the hosts of
     * make demo SCENARIO=grow). Three hosts of 0.6 cores (1.8 of the machine's 2 cores, beside
     * three agents) did not get their quotas: identical runs differed by up to 10 % with no move
     * (scenario 1) and the oracle's own runs of scenario 6 by 3.7 x (24.4, 6.6, 11.6 ms); with
     * these hosts the oracle of scenario 6 ran at 5.2 to 8.0 ms in nine runs.
     */
    static final Map<String, String> HOSTS = Map.of("ROAM_DEMO_CPU", "0.4", "ROAM_DEMO_CPU_PERIOD_US", "2500");

    static final String BALANCING = "balancing";
    static final String NO_BALANCING = "no-balancing";
    static final String ORACLE = "oracle";

    private AutonomyScenarios() {
    }

    private static String fmt(double s) {
        return Long.toString(Math.round(s));
    }

    /** The scenarios; {@code seed} varies the noisy neighbours' busy loops from run to run. */
    static List<Scenario> all(long seed) {
        List<String> throttle = List.of("--throttle", "1", "--throttle-at", "15");
        List<String> awayFromHost1 = List.of("--place", "2,3");
        return List.of(
                new Scenario(1, "balanced", "balanced cluster", false, 10, 45, List.of(), null,
                        "3 hosts of 0.4 cores, heat 2048 x 2048 on 2 ranks (hosts 1 and 2), nothing happens; "
                                + "target 0 moves"),
                new Scenario(2, "throttled", "one host throttled (the demo)", true, 35, 65, throttle,
                        concat(throttle, awayFromHost1),
                        "host 1 (rank 0's) cut to 0.15 cores at 15 s for good; oracle: the ranks on hosts 2 and 3"),
                new Scenario(3, "restored", "throttled, then restored", true, 35, 75,
                        concat(throttle, List.of("--restore-at", "45")),
                        concat(throttle, List.of("--restore-at", "45"), awayFromHost1),
                        "host 1 cut to 0.15 cores at 15 s, given back its 0.4 cores at 45 s (30 s later, not "
                                + "the issue's 60 s, to keep the run short); oracle: hosts 2 and 3"),
                new Scenario(4, "flapping", "a flapping host", true, 35, 75, concat(throttle, List.of("--flap", "20")),
                        concat(throttle, List.of("--flap", "20"), awayFromHost1),
                        "host 1 cut to 0.15 cores at 15 s, restored at 35 s, cut at 55 s, restored at 75 s "
                                + "(every 20 s); oracle: hosts 2 and 3"),
                new Scenario(5, "noisy", "noisy neighbours", false, 10, 55,
                        List.of("--hogs", Long.toString(seed), "--hog-every", "8"), null,
                        "a busy loop of 2 to 6 s in one host's cgroup in every slot of 8 s, each host once per "
                                + "round of 3 slots in a random order (seeded: the same loops with and without "
                                + "balancing): no lasting imbalance"),
                new Scenario(6, "join", "a host with free capacity joining", true, 40, 75,
                        List.of("--ranks", "3", "--place", "1:2,2:1,3:1", "--join", "3", "--join-at", "10"),
                        List.of("--ranks", "3", "--place", "1,2,3"),
                        "heat on 3 ranks, 2 of them on host 1 (the job's allocation names host 3 with 1 slot, "
                                + "see below), host 3's agent starts at 10 s; oracle: one rank per host, every agent "
                                + "from the start"),
                new Scenario(7, "two-jobs", "two jobs sharing the hosts", true, 20, 65,
                        List.of("--second-job", "1:1024:2048"), List.of("--second-job", "1:1024:2048",
                        "--second-place", "3"),
                        "job A: heat 2048 x 2048 on 2 ranks; job B: heat 1024 x 2048 on 1 rank (the same work "
                                + "per rank), both through roam run, so B's rank joins A's rank 0 on host 1; "
                                + "oracle: B on host 3"));
    }

    /**
     * The scenarios named in {@code list}, comma-separated, each by number or name ("2,join");
     * anything else fails with the names it could have been.
     */
    static Set<Integer> select(String list) {
        List<Scenario> known = all(1);
        Set<Integer> out = new TreeSet<>();
        for (String item : list.split(",")) {
            String want = item.strip();
            Scenario match = known.stream().filter(s -> want.equals(Integer.toString(s.number())) || want.equals(s.name()))
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("no scenario '" + want + "': give "
                            + "numbers or names from " + known.stream().map(s -> s.number() + " " + s.name()).toList()));
            out.add(match.number());
        }
        return out;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> out = new ArrayList<>();
        for (List<String> p : parts) {
            out.addAll(p);
        }
        return out;
    }
}
