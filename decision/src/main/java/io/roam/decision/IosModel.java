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
    /** Best first: highest score, then lowest state, lowest rank, job id. */
    static final Comparator<Evaluation> BEST_FIRST = Comparator.comparingDouble(Evaluation::score).reversed()
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

    /** The decision: the best candidate not vetoed, described by {@code reason}. */
    static Decision choose(List<Evaluation> evaluations, Function<Evaluation, String> reason) {
        Optional<Choice> choice = evaluations.stream().filter(e -> !e.vetoed()).min(BEST_FIRST)
                .map(e -> new Choice(e.process(), e.score(), reason.apply(e)));
        return new Decision(choice, evaluations);
    }

    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
