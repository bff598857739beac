package io.roam.decision;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The gain, the vetoes and the choice of the best candidate, shared by the strategies. The
 * vetoes about speed and cost are decided on the {@link Evidence} (medians and spreads over
 * a window, {@link EvidenceRules}), never on one profile.
 */
final class IosModel {
    /**
     * Scores within this share of the best one count as tied: they come from medians of noisy
     * samples and byte counters, and a difference of a percent between two candidates' predicted
     * gains says nothing about which move helps more (two ranks with the same processing gain
     * and one local link lost either way scored 0.5578118 and 0.5578115 in the autonomy
     * benchmark's join scenario).
     */
    static final double TIE = 0.01;

    /**
     * Among tied candidates, best first: the most traffic with its job per second of run, then
     * the lowest state, lowest rank, job id. The victim is the busier node and a rank's share of
     * its job's messages is work its node does for it (the copies of Open MPI's TCP path) and
     * waits that its neighbours sit through: the middle rank of a 1-D decomposition exchanges
     * halos with two neighbours, an edge rank with one, and the job runs faster with the middle
     * one on the node that has room (the same scenario: 1.5 x the oracle's iteration time with
     * the edge rank moved instead).
     */
    static final Comparator<Evaluation> TIED_FIRST = Comparator
            .comparingDouble((Evaluation e) -> trafficRate(e.process())).reversed()
            .thenComparingLong(e -> e.process().stateBytes())
            .thenComparingInt(e -> e.process().rank())
            .thenComparing(e -> e.process().jobId());

    private final DecisionSettings settings;
    private final EvidenceRules rules;

    IosModel(DecisionSettings settings) {
        this.settings = settings;
        this.rules = new EvidenceRules(settings);
    }

    EvidenceRules rules() {
        return rules;
    }

    /** The gains of moving p, scored by the gain, vetoed by the first rule it breaks (or the threshold). */
    Evaluation evaluate(ProcessProfile p, Situation s) {
        double processing = ProcessingGain.of(s.local(), s.thief());
        double communication = CommunicationGain.of(p, s.localProcesses(), s.thiefProcesses());
        double gain = settings.processingWeight() * processing
                + settings.communicationWeight() * communicationScale(p, s) * communication;
        EvidenceRules.Payback pb = rules.payback(p, s);
        double horizon = settings.paybackHorizon().toMillis() / 1000.0;
        Evaluation e = new Evaluation(p, processing, communication, gain, pb.savedPerSecond() * horizon,
                pb.costSeconds(), gain, null);
        String veto = veto(p, s);
        if (veto == null && !(gain > settings.threshold())) {
            veto = fmt("gain %.3f (processing %.3f, communication %.3f) not above the threshold %.3f", gain,
                    processing, communication, settings.threshold());
        }
        return veto == null ? e : e.withVeto(veto);
    }

    /**
     * How much the communication gain counts, 0 to 1: the share of p's time its traffic with the
     * ranks here and on the thief would take at the measured rate of the link, against
     * communication-full-share; 1 when the link is not measured or the setting is 0.
     */
    double communicationScale(ProcessProfile p, Situation s) {
        double full = settings.communicationFullShare();
        if (full <= 0) {
            return 1;
        }
        double share = CommunicationGain.linkShare(p, s.localProcesses(), s.thiefProcesses(), s.transferBytesPerSec());
        return share < 0 ? 1 : Math.min(1, share / full);
    }

    /**
     * What one more process would get on the thief: its available processing, at most one
     * core, and at most a fair share of its capacity with the processes it already runs
     * (those waiting in MPI now compute again once the job speeds up).
     */
    static double shareThere(NodeProfile thief, int thiefProcessCount) {
        return Math.min(thief.availableForOneProcess(), thief.capacity() / (thiefProcessCount + 1));
    }

    /**
     * The processing p gets on its node: the cores it uses at the node's speed. Open MPI
     * polls while a rank waits, so a rank's CPU rate is what its node gives it whether it
     * computes or waits; a throttled or crowded rank shows a low rate.
     */
    static double speedHere(ProcessProfile p, NodeProfile local) {
        return Math.max(0, p.cpuShare()) * local.speedPerCore();
    }

    /** Why p may not move to the thief whatever the gain, or null. */
    String veto(ProcessProfile p, Situation s) {
        if (p.cpuShare() < 0 || p.computeShare() < 0) {
            return "no data yet: CPU and compute shares unknown until two samples";
        }
        if (p.computeShare() < settings.minComputeShare()) {
            return fmt("waits more than it computes: compute share %.2f < %.2f; moving a rank that waits for"
                    + " others cannot speed its job", p.computeShare(), settings.minComputeShare());
        }
        NodeProfile thief = s.thief();
        if (thief.memAvailable() >= 0 && p.rssBytes() >= 0 && thief.memAvailable() < p.rssBytes()) {
            return fmt("not enough memory on the thief: %d bytes available < %d bytes resident",
                    thief.memAvailable(), p.rssBytes());
        }
        return rules.veto(p, s);
    }

    /** How the evidence for {@code p} looked, for the reason of a choice. */
    String evidence(Evaluation e, Situation s) {
        EvidenceRules.Payback pb = rules.payback(e.process(), s);
        return fmt("here %s, thief %s updates/s; pays back in %.1f s", s.evidence().here(e.process()).describe(1),
                s.evidence().thiefOffer().describe(1), pb.paybackSeconds());
    }

    /**
     * The decision: among the candidates not vetoed, those whose score is within {@link #TIE}
     * of the highest, the first by {@link #TIED_FIRST}, described by {@code reason}.
     */
    static Decision choose(List<Evaluation> evaluations, Function<Evaluation, String> reason) {
        List<Evaluation> allowed = evaluations.stream().filter(e -> !e.vetoed()).toList();
        double best = allowed.stream().mapToDouble(Evaluation::score).max().orElse(Double.NaN);
        double floor = best - TIE * Math.abs(best);
        Optional<Choice> choice = allowed.stream().filter(e -> e.score() >= floor).min(TIED_FIRST)
                .map(e -> new Choice(e.process(), e.score(), reason.apply(e)));
        return new Decision(choice, evaluations);
    }

    /** Bytes p sent to the ranks of its job per second of its run (compute + MPI); its bytes if unknown. */
    static double trafficRate(ProcessProfile p) {
        double seconds = (p.computeNs() + p.mpiNs()) / 1e9;
        return seconds > 0 ? p.bytesSent() / seconds : p.bytesSent();
    }

    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
