package io.roam.agents.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The hosts a user names in the mpirun arguments given to {@code roam run}: Open MPI's
 * {@code --host}/{@code -H}/{@code -host} lists ({@code a,b:2}) and the hosts of
 * {@code --hostfile}/{@code -hostfile}/{@code --machinefile}/{@code -machinefile} files (the first
 * word of each line that is not a comment). Their ranks may run on those hosts, so they belong in
 * the job's hosts (ROAM_JOB_HOSTS) beside the agents' nodes that roam run's own hostfile names:
 * otherwise an agent that starts later on such a host is refused as a target ("not one of the
 * hosts its job was started on") although mpirun may spawn there.
 */
final class MpirunHosts {
    private MpirunHosts() {
    }

    /** mpirun options that take two values, and some that take one (for the others: none). */
    private static final Set<String> TWO = Set.of("--mca", "-mca", "--gmca", "-gmca");
    private static final Set<String> ONE = Set.of("-np", "--np", "-n", "-c", "-x", "--map-by", "-map-by",
            "--bind-to", "-bind-to", "--rank-by", "-rank-by", "--npernode", "-npernode", "--npersocket",
            "-npersocket", "--wdir", "-wdir", "--wd", "-wd", "--prefix", "-prefix", "--output-filename",
            "-output-filename", "--tune", "-tune", "--am", "-am", "--preload-files", "-preload-files", "--path",
            "-path", "--cpu-list", "-cpu-list", "--cpus-per-proc", "-cpus-per-proc", "--slot-list", "-slot-list",
            "--rankfile", "-rankfile", "--app", "-app");

    /**
     * The hosts named before the program (the first word that is neither an option nor an
     * option's value), in order, without repeats; an unreadable hostfile is skipped with a note.
     */
    static List<String> named(List<String> args, List<String> notes) {
        Set<String> hosts = new LinkedHashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("-")) {
                break;   // the program: what follows is its own
            }
            if (TWO.contains(a)) {
                i += 2;
                continue;
            }
            if (ONE.contains(a)) {
                i += 1;
                continue;
            }
            String value = null;
            String opt = a;
            int eq = a.indexOf('=');
            if (a.startsWith("-") && eq > 0) {
                opt = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            boolean hostList = opt.equals("--host") || opt.equals("-host") || opt.equals("-H");
            boolean hostFile = opt.equals("--hostfile") || opt.equals("-hostfile") || opt.equals("--machinefile")
                    || opt.equals("-machinefile");
            if (!hostList && !hostFile) {
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    break;
                }
                value = args.get(++i);
            }
            if (hostList) {
                for (String h : value.split(",")) {
                    add(hosts, h);
                }
            } else {
                try {
                    for (String line : Files.readAllLines(Path.of(value))) {
                        String t = line.strip();
                        if (!t.isEmpty() && !t.startsWith("#")) {
                            add(hosts, t.split("\\s+")[0]);
                        }
                    }
                } catch (IOException e) {
                    notes.add("cannot read the hostfile " + value + " (" + e.getMessage()
                            + "): its hosts are not among the job's hosts");
                }
            }
        }
        return new ArrayList<>(hosts);
    }

    private static void add(Set<String> hosts, String entry) {
        String h = entry.strip();
        int colon = h.lastIndexOf(':');
        if (colon > 0 && h.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            h = h.substring(0, colon);   // a:2, slots
        }
        if (!h.isEmpty()) {
            hosts.add(h);
        }
    }
}
