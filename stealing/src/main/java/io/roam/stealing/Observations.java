package io.roam.stealing;

import io.roam.decision.DecisionSettings;
import io.roam.decision.Evidence;
import io.roam.decision.MoveEffect;
import io.roam.decision.Shares;
import io.roam.decision.Summary;
import io.roam.decision.Window;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.JobRank;
import io.roam.stealing.StealMessage.NeighbourView;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one node has seen over time, kept where the samples arrive: a window of each own
 * process's processing here (one sample per profile of this node), a window of each
 * neighbour's offer for one more process (one sample per profile in its views), and the ranks
 * that arrived here (when, from which node), a window of this node's own offer, which
 * its thief's requests carry, and the measured effect of the moves from and to this node.
 * From them come the {@link Evidence} of a decision and the rules against ping-pong and
 * moves that did not help ({@link #heldBack}). Samples of one profile are
 * taken once, however often it is passed in (profiles are told apart by their time).
 */
public final class Observations {
    /** Views of the rank's source skipped after an arrival before its baseline: its profile is smoothed. */
    static final int VIEWS_SKIPPED_AFTER_ARRIVAL = 2;

    private final DecisionSettings decision;
    private final StealSettings settings;
    private final Map<JobRank, Held> processes = new HashMap<>();
    private final Map<String, Neighbour> neighbours = new HashMap<>();
    private final Map<JobRank, Arrival> arrivals = new HashMap<>();
    /** Moves from this node whose measured effect was no gain, by rank and target. */
    private final Map<HeldMove, Hold> holds = new HashMap<>();
    private final Window selfOffer;
    private long lastProfileAt = Long.MIN_VALUE;
    private boolean sampled;

    /**
     * An own process: its pid (a new pid is a new process), the window of its processing here
     * and, sample for sample, the window of its job's processing here (the sum over the job's
     * ranks on this node; the rank's own when it is the only one).
     */
    private record Held(long pid, Window speed, Window jobSpeed) {
        /**
         * The rank's processing here as a decision uses it: the job's processing here at each
         * sample times the rank's share of it over the window. Ranks of one job on one node
         * split its CPU between them from second to second (one runs while the other spins
         * for its halo, and the next second the other way round): their samples swing against
         * each other by tens of percent while their sum, what the node gives the job, is
         * steady. Taken alone, each rank's spread hid a node that gave the job half of what
         * an idle neighbour offered (benchmarks/results/autonomy.md, scenario 6). The rank's
         * level is still its own (its mean over the window); only the anti-correlated swings go.
         */
        Summary summary() {
            double job = jobSpeed.mean();
            return job > 0 ? jobSpeed.summary().scaled(speed.mean() / job) : speed.summary();
        }
    }

    /** A move of a rank from this node to a target node. */
    private record HeldMove(JobRank rank, String target) {
    }

    /** How many such moves in a row did not help, and until when the next one is held back. */
    private record Hold(int times, long until, MoveEffect last) {
    }

    /** A neighbour: the time of its last profile sampled and the window of its offer. */
    private static final class Neighbour {
        long lastAt = Long.MIN_VALUE;
        final Window offer;

        Neighbour(int window) {
            offer = new Window(window);
        }
    }

    /** A rank that arrived here: when, from where (null if unknown), and what it got here since. */
    private static final class Arrival {
        final long at;
        String from;
        Summary best;                // the best window of its processing here since it arrived
        int viewsOfSource;           // views of the source received since
        final Window sourceAfter;    // the source's offer in the views after the skipped ones
        Summary sourceBaseline;      // ... once it holds min-samples: frozen
        boolean worse;               // its move here was measured to make the job slower

        Arrival(long at, String from, int window) {
            this.at = at;
            this.from = from;
            this.sourceAfter = new Window(window);
        }
    }

    public Observations(DecisionSettings decision, StealSettings settings) {
        this.decision = decision;
        this.settings = settings;
        this.selfOffer = new Window(decision.window());
    }

    /**
     * One profile of this node and its processes. A process seen with a new pid after the
     * first profile, and that has moved before, arrived now (by a move this node did not
     * steal: roam migrate, a drain), unless a steal already recorded its arrival.
     */
    public void local(long now, NodeProfile self, List<ProcessProfile> own) {
        if (self.atMillis() == lastProfileAt) {
            return;
        }
        lastProfileAt = self.atMillis();
        selfOffer.add(Shares.oneMoreProcess(self, own.size()));
        Map<String, Double> jobHere = new HashMap<>();
        for (ProcessProfile p : own) {
            if (p.cpuShare() >= 0) {
                jobHere.merge(p.jobId(), Shares.processingHere(p, self), Double::sum);
            }
        }
        Set<JobRank> present = new HashSet<>();
        for (ProcessProfile p : own) {
            JobRank key = new JobRank(p.jobId(), p.rank());
            present.add(key);
            Held h = processes.get(key);
            if (h == null || h.pid() != p.pid()) {
                h = new Held(p.pid(), new Window(decision.window()), new Window(decision.window()));
                processes.put(key, h);
                Arrival a = arrivals.get(key);
                if (sampled && p.moves() > 0 && (a == null || now - a.at > settings.migrationTimeout().toMillis())) {
                    arrivals.put(key, new Arrival(now, null, decision.window()));
                }
            }
            if (p.cpuShare() >= 0) {
                h.speed().add(Shares.processingHere(p, self));
                h.jobSpeed().add(jobHere.get(p.jobId()));
            }
            Arrival a = arrivals.get(key);
            if (a != null && h.speed().size() >= decision.minSamples()) {
                Summary s = h.summary();
                if (a.best == null || s.median() > a.best.median()) {
                    a.best = s;
                }
            }
        }
        processes.keySet().retainAll(present);
        long keep = Math.max(settings.minResidence().toMillis(),
                Math.max(settings.returnCooldown().toMillis(), settings.returnHold().toMillis()));
        arrivals.entrySet().removeIf(e -> now - e.getValue().at > keep || (!present.contains(e.getKey())
                && now - e.getValue().at > settings.migrationTimeout().toMillis()));
        sampled = true;
    }

    /** One view of a neighbour: a sample of its offer, and of the baseline of ranks that came from it. */
    public void neighbour(NeighbourView v) {
        Neighbour n = neighbours.computeIfAbsent(v.address(), a -> new Neighbour(decision.window()));
        if (v.profile().atMillis() == n.lastAt) {
            return;
        }
        n.lastAt = v.profile().atMillis();
        double offer = Shares.oneMoreProcess(v.profile(), v.ranks().size());
        n.offer.add(offer);
        for (Arrival a : arrivals.values()) {
            if (v.address().equals(a.from) && a.sourceBaseline == null
                    && ++a.viewsOfSource > VIEWS_SKIPPED_AFTER_ARRIVAL) {
                a.sourceAfter.add(offer);
                if (a.sourceAfter.size() >= decision.minSamples()) {
                    a.sourceBaseline = a.sourceAfter.summary();
                }
            }
        }
    }

    /** The neighbour left (its views aged out): its samples go with it. */
    public void forget(String address) {
        neighbours.remove(address);
    }

    /** A steal this node accepted completed: rank {@code rank} of {@code jobId} arrived from {@code from}. */
    public void arrived(long now, String jobId, int rank, String from) {
        JobRank key = new JobRank(jobId, rank);
        Arrival a = arrivals.get(key);
        if (a != null && a.from == null && now - a.at <= settings.migrationTimeout().toMillis()) {
            a.from = from;   // its new pid was seen first
        } else {
            arrivals.put(key, new Arrival(now, from, decision.window()));
        }
    }

    /**
     * The evidence for giving one of {@code candidates} to {@code thief}: the thief's offer
     * from this node's window of its views, or, with too few of them (a thief that is no
     * neighbour: the request was forwarded), the window the thief sent in its request.
     */
    public Evidence evidence(List<ProcessProfile> candidates, String thief, Summary thiefSent) {
        Map<String, Summary> here = new HashMap<>();
        for (ProcessProfile p : candidates) {
            here.put(Evidence.key(p.jobId(), p.rank()), speedHere(p.jobId(), p.rank()));
        }
        Summary seen = offerOf(thief);
        boolean own = seen.enough(decision.minSamples()) || seen.samples() >= thiefSent.samples();
        return new Evidence(here, own ? seen : thiefSent);
    }

    /** This node's window of what it would give one more process (its thief's requests carry it). */
    public Summary selfOffer() {
        return selfOffer.summary();
    }

    /**
     * The window of an own process's processing here (updates/s): with other ranks of its job
     * on this node, their sum at each sample times the rank's share of it ({@link Held#summary}).
     */
    public Summary speedHere(String jobId, int rank) {
        Held h = processes.get(new JobRank(jobId, rank));
        return h == null ? Summary.NONE : h.summary();
    }

    /** The window of a neighbour's offer for one more process (updates/s). */
    public Summary offerOf(String address) {
        Neighbour n = neighbours.get(address);
        return n == null ? Summary.NONE : n.offer.summary();
    }

    /**
     * Why {@code p} may not be offered to {@code thief} now, or null if it may: it arrived
     * less than min-residence ago, or it left the thief less than return-hold ago, or less than
     * return-cooldown ago and the thief's offer has not risen beyond the noise since. Neither holds a rank whose
     * processing here has dropped by more than the noise since it arrived, nor one whose move
     * here was measured to make its job slower. And its last move from here to the thief
     * did not help, within that move's hold ({@link #movedFromHere}).
     */
    public String heldBack(ProcessProfile p, String thief, long now) {
        JobRank key = new JobRank(p.jobId(), p.rank());
        Hold hold = holds.get(new HeldMove(key, thief));
        if (hold != null && now < hold.until()) {
            return fmt("its last move to %s did not help (%s; %d time(s) in a row): not tried again for %.0f s",
                    thief, hold.last().describe(), hold.times(), (hold.until() - now) / 1000.0);
        }
        Arrival a = arrivals.get(key);
        if (a == null || a.worse) {
            return null;   // a rank whose move here made its job slower may leave at once, and go back
        }
        long age = now - a.at;
        boolean resident = age < settings.minResidence().toMillis();
        boolean returning = thief.equals(a.from)
                && age < Math.max(settings.returnCooldown().toMillis(), settings.returnHold().toMillis());
        if (!resident && !returning) {
            return null;
        }
        Summary current = speedHere(p.jobId(), p.rank());
        if (a.best != null && current.enough(decision.minSamples()) && current.exceededBy(a.best,
                decision.noiseFactor())) {
            return null;   // worse here than since it arrived, beyond the noise: it may leave, and go back
        }
        if (resident) {
            return fmt("arrived %.0f s ago (min-residence %.0f s), and its processing here has not dropped beyond"
                    + " the noise since (best %s, now %s)", age / 1000.0, settings.minResidence().toMillis() / 1000.0,
                    a.best == null ? "not yet known" : a.best.describe(1), current.describe(1));
        }
        if (age < settings.returnHold().toMillis()) {
            return fmt("left %s %.0f s ago: it goes back there no sooner than return-hold (%.0f s) after, for a"
                    + " better offer (a node that is throttled and restored would draw it back and forth)", thief,
                    age / 1000.0, settings.returnHold().toMillis() / 1000.0);
        }
        Summary offer = offerOf(thief);
        if (a.sourceBaseline != null && offer.enough(decision.minSamples())
                && a.sourceBaseline.exceededBy(offer, decision.noiseFactor())) {
            return null;   // the node it left offers more now than just after it left, beyond the noise
        }
        return fmt("left %s %.0f s ago (return-cooldown %.0f s), and its offer has not risen beyond the noise since"
                        + " (after the rank left %s, now %s)", thief, age / 1000.0,
                settings.returnCooldown().toMillis() / 1000.0,
                a.sourceBaseline == null ? "not yet known" : a.sourceBaseline.describe(1), offer.describe(1));
    }

    /**
     * A move of {@code jobId}/{@code rank} from this node to {@code target} was measured: one
     * that did not help is held back ({@link StealSettings#noGainHold(int)}, longer each time
     * in a row); one that gained ends the streak.
     */
    public void movedFromHere(String jobId, int rank, String target, MoveEffect effect, long now) {
        HeldMove key = new HeldMove(new JobRank(jobId, rank), target);
        holds.values().removeIf(h -> now - h.until() > settings.noGainHoldMax().toMillis());
        if (effect.verdict() == MoveEffect.Verdict.GAIN) {
            holds.remove(key);
        } else if (effect.verdict().unhelpful()) {
            Hold before = holds.get(key);
            int times = before == null ? 1 : before.times() + 1;
            holds.put(key, new Hold(times, now + settings.noGainHold(times).toMillis(), effect));
        }
    }

    /**
     * A move of {@code jobId}/{@code rank} to this node was measured: if it made the job
     * slower, neither min-residence nor return-cooldown holds the rank here any more.
     */
    public void movedHere(String jobId, int rank, MoveEffect effect) {
        Arrival a = arrivals.get(new JobRank(jobId, rank));
        if (a != null && effect.verdict() == MoveEffect.Verdict.WORSE) {
            a.worse = true;
        }
    }

    /** When {@code jobId}/{@code rank} arrived here (ms), if this node knows of it and still keeps it. */
    public java.util.OptionalLong arrivedAt(String jobId, int rank) {
        Arrival a = arrivals.get(new JobRank(jobId, rank));
        return a == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(a.at);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
