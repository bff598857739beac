package io.roam.decision;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Where a process that must leave its node should go (a drain): every target is judged by
 * the IOS gain of moving the process there, processing and communication weighted as in
 * {@link DecisionSettings}, best first. Unlike a steal, the move is not optional, so the
 * speedup and threshold vetoes do not apply; a target without the memory for the process is
 * still vetoed.
 */
public final class Placement {
    /** A node that may receive the process: its profile and the processes it runs. */
    public record Target(String id, NodeProfile profile, List<ProcessProfile> processes) {
        public Target {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(profile, "profile");
            processes = List.copyOf(processes);
        }
    }

    /** One target judged: its gains, and why it may not take the process (null if it may). */
    public record Ranked(Target target, double processingGain, double communicationGain, double gain, String veto) {
    }

    private final DecisionSettings settings;

    public Placement(DecisionSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The targets for {@code p}, which runs on {@code local} with {@code localProcesses}:
     * those that may take it first, by decreasing gain, then the vetoed ones; ties by id.
     */
    public List<Ranked> rank(ProcessProfile p, NodeProfile local, List<ProcessProfile> localProcesses,
                             List<Target> targets) {
        List<Ranked> out = new ArrayList<>();
        for (Target t : targets) {
            double processing = ProcessingGain.of(local, t.profile());
            double communication = CommunicationGain.of(p, localProcesses, t.processes());
            double gain = settings.processingWeight() * processing + settings.communicationWeight() * communication;
            String veto = null;
            NodeProfile n = t.profile();
            if (n.memAvailable() >= 0 && p.rssBytes() >= 0 && n.memAvailable() < p.rssBytes()) {
                veto = IosModel.fmt("not enough memory: %d bytes available < %d bytes resident", n.memAvailable(),
                        p.rssBytes());
            }
            out.add(new Ranked(t, processing, communication, gain, veto));
        }
        out.sort(Comparator.comparing((Ranked r) -> r.veto() != null).thenComparing(Comparator
                .comparingDouble(Ranked::gain).reversed()).thenComparing(r -> r.target().id()));
        return out;
    }
}
