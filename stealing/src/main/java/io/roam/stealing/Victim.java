package io.roam.stealing;

import io.roam.decision.Decision;
import io.roam.decision.Evaluation;
import io.roam.decision.Shares;
import io.roam.decision.Situation;
import io.roam.decision.Strategy;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.JobRank;
import io.roam.stealing.StealMessage.StealAnswer;
import io.roam.stealing.StealMessage.StealOffer;
import io.roam.stealing.StealMessage.StealOutcome;
import io.roam.stealing.StealMessage.StealRefused;
import io.roam.stealing.StealMessage.StealRequest;
import io.roam.topologies.NodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The victim side of work stealing, as a plain state machine. A request is answered with an
 * offer of the process the decision strategy picks, forwarded while its TTL lasts, or
 * refused. An offered process is reserved until the thief answers (or the reply timeout):
 * it is never in two migrations at once, and a job never has more than
 * {@code max-migrations-per-job} migrations in flight that this agent knows of (its own,
 * and those its neighbours report). The strategy decides on the evidence of the node's
 * {@link Observations}; a process that arrived recently or would go back where it came from
 * ({@link Observations#heldBack}), or whose job used its budget of moves from this node, is
 * not offered.
 */
public final class Victim {
    /** A process offered to a thief, then ordered to migrate once accepted. */
    public record Reserved(long stealId, String thief, String jobId, int rank, long since, boolean ordered) {
    }

    /** What to migrate where, once a thief accepted. */
    public record MigrateOrder(long stealId, String thief, String jobId, int rank) {
    }

    /** What a request led to: the message to send and the decision behind it (null if none was made). */
    public record Reaction(Outgoing outgoing, Decision decision) {
    }

    private final String address;
    private final StealSettings settings;
    private final Strategy strategy;
    private final RandomGenerator rnd;
    private final Observations observations;
    private final Map<Long, Reserved> reserved = new HashMap<>();
    /** Moves this node ordered by steal id: job and when (for the budget; a failed move is removed). */
    private final Map<Long, Given> given = new HashMap<>();
    /** Processes kept for a better thief, since when (they wait for it two periods at most). */
    private final Map<JobRank, Long> deferred = new HashMap<>();
    /**
     * "job thief" where a spawn of the job stalled: libpcm refuses that host for the rest of the
     * job (a stalled spawn onto mpirun's host is followed by stalls only, with Open MPI 4.1.4 and
     * PMIx 4.2), so its ranks are not offered to that thief again.
     */
    private final Set<String> stalledAt = new HashSet<>();

    private record Given(String jobId, long at) {
    }

    /** A victim deciding on what {@code observations} has seen (the node's, shared with its thief). */
    public Victim(String address, StealSettings settings, Strategy strategy, RandomGenerator rnd,
                  Observations observations) {
        this.address = address;
        this.settings = settings;
        this.strategy = strategy;
        this.rnd = rnd;
        this.observations = observations;
    }

    /** A victim with observations of its own (tests feed them through {@link #observations()}). */
    public Victim(String address, StealSettings settings, Strategy strategy, RandomGenerator rnd) {
        this(address, settings, strategy, rnd, new Observations(strategy.settings(), settings));
    }

    public Observations observations() {
        return observations;
    }

    /**
     * A steal request arrived. {@code transferBytesPerSec} and {@code latencyMillis} are what
     * this agent measured towards the thief (-1 unknown).
     */
    public Reaction onRequest(StealRequest r, long now, NodeProfile self, List<ProcessProfile> own, Neighbourhood n,
                              double transferBytesPerSec, double latencyMillis) {
        return onRequest(r, now, self, own, Map.of(), n, transferBytesPerSec, latencyMillis);
    }

    /**
     * As above, with the hosts each job may run on ({@link StealingNode.Local#jobHosts()}): a
     * rank is never offered to a thief outside its job's hosts.
     */
    public Reaction onRequest(StealRequest r, long now, NodeProfile self, List<ProcessProfile> own,
                              Map<String, List<String>> jobHosts, Neighbourhood n, double transferBytesPerSec,
                              double latencyMillis) {
        List<String> held = new ArrayList<>();
        List<ProcessProfile> candidates = free(own, r.thief(), r.thiefProfile().host(), jobHosts, n, now, held);
        Decision d = null;
        String betterThief = null;
        if (!r.thief().equals(address) && !candidates.isEmpty()) {
            d = strategy.decide(new Situation(self, candidates, own, r.thiefProfile(), r.thiefProcesses(),
                    transferBytesPerSec, latencyMillis, observations.evidence(candidates, r.thief(), r.offer())));
            betterThief = d.choice().isPresent() ? betterThief(r, n, d.choice().get().process(), now) : null;
            if (d.choice().isPresent() && betterThief == null) {
                ProcessProfile p = d.choice().get().process();
                reserved.put(r.stealId(), new Reserved(r.stealId(), r.thief(), p.jobId(), p.rank(), now, false));
                return new Reaction(new Outgoing(r.thief(), new StealOffer(r.stealId(), address, p.jobId(), p.rank(),
                        d.choice().get().score(), p.stateBytes())), d);
            }
        }
        if (r.ttl() > 0) {
            Set<String> exclude = new HashSet<>(r.visited());
            exclude.add(r.thief());
            exclude.add(address);
            Optional<NodeInfo> next = settings.protocol().choose(n, own, exclude, rnd);
            if (next.isPresent()) {
                return new Reaction(new Outgoing(next.get().address(), r.forwardedBy(address)), d);
            }
        }
        String why = candidates.isEmpty() ? (own.isEmpty() ? "no processes" : String.join("; ", held))
                : betterThief != null ? "left for " + betterThief + ", which would give it more processing"
                : "nothing worth giving" + (held.isEmpty() ? "" : "; held back: " + String.join("; ", held));
        boolean pending = d != null && d.evaluations().stream().anyMatch(Evaluation::tooFewSamples);
        return new Reaction(new Outgoing(r.thief(), new StealRefused(r.stealId(), address, why, pending)), d);
    }

    /**
     * Another thief among the neighbours' last views (not the asking thief, not this node)
     * that would give one more process at least better-thief-ratio times what the asking
     * thief would; null if none, if the rule is off, or if {@code p} already waited two
     * stealing periods for a better thief that did not ask (in a large cluster it may never
     * come: measured in the simulator, RS balanced far worse without this limit).
     */
    private String betterThief(StealRequest r, Neighbourhood n, ProcessProfile p, long now) {
        if (settings.betterThiefRatio() <= 0) {
            return null;
        }
        JobRank key = new JobRank(p.jobId(), p.rank());
        deferred.values().removeIf(since -> now - since > 10 * settings.period().toMillis());
        Long since = deferred.get(key);
        if (since != null && now - since > 2 * settings.period().toMillis()) {
            return null;   // the better thief did not come within two periods: any thief will do
        }
        double asking = Shares.oneMoreProcess(r.thiefProfile(), r.thiefProcesses().size());
        String best = null;
        double bestShare = settings.betterThiefRatio() * asking;
        for (var v : n.views().values()) {
            if (v.address().equals(r.thief()) || v.address().equals(address) || v.profile() == null
                    || v.profile().availableShare() < settings.thiefShare()) {
                continue;
            }
            double share = Shares.oneMoreProcess(v.profile(), v.ranks().size());
            if (share >= bestShare && share > 0) {
                best = v.address();
                bestShare = share;
            }
        }
        if (best != null) {
            deferred.putIfAbsent(key, now);
        }
        return best;
    }

    /**
     * The processes of {@code own} that may go to {@code thief} (on {@code thiefHost}) now: not
     * reserved, on one of their job's hosts, their job under its migration limit and its move
     * budget, not held back ({@link Observations#heldBack}); why each other one may not is added
     * to {@code held}. Steals and swaps both take their candidates from here.
     */
    List<ProcessProfile> free(List<ProcessProfile> own, String thief, String thiefHost,
                              Map<String, List<String>> jobHosts, Neighbourhood n, long now, List<String> held) {
        expire(now);
        Set<String> full = fullJobs(n);
        given.values().removeIf(g -> now - g.at() >= settings.moveBudgetWindow().toMillis());
        List<ProcessProfile> candidates = new ArrayList<>();
        for (ProcessProfile p : own) {
            String why = isReserved(p.jobId(), p.rank()) ? "busy (offered or migrating)"
                    : outsideTheJob(p, thiefHost, jobHosts) ? "the thief's host " + thiefHost + " is not one of"
                            + " the hosts its job was started on"
                    : stalledAt.contains(p.jobId() + " " + thief) ? "a spawn of its job on the thief stalled"
                            + " earlier (libpcm refuses that host for the rest of the job)"
                    : full.contains(p.jobId()) ? "its job is at its migration limit"
                    : overBudget(p.jobId()) ? String.format(Locale.ROOT, "its job used its budget of %d moves from"
                            + " this node in %d s", settings.moveBudget(), settings.moveBudgetWindow().toSeconds())
                    : observations.heldBack(p, thief, now);
            if (why == null) {
                candidates.add(p);
            } else {
                held.add("rank " + p.rank() + " of " + p.jobId() + ": " + why);
            }
        }
        return candidates;
    }

    /**
     * Reserves {@code jobId}/{@code rank} for the swap {@code id} with {@code peer} (as an offer
     * to a thief is reserved): false if it is already reserved.
     */
    boolean reserve(long id, String peer, String jobId, int rank, long now) {
        if (isReserved(jobId, rank) || reserved.containsKey(id)) {
            return false;
        }
        reserved.put(id, new Reserved(id, peer, jobId, rank, now, false));
        return true;
    }

    /** The reservation {@code id} becomes a migration order (it counts against the move budget). */
    Optional<MigrateOrder> order(long id) {
        Reserved res = reserved.get(id);
        if (res == null || res.ordered()) {
            return Optional.empty();
        }
        reserved.put(id, new Reserved(res.stealId(), res.thief(), res.jobId(), res.rank(), res.since(), true));
        given.put(id, new Given(res.jobId(), res.since()));
        return Optional.of(new MigrateOrder(id, res.thief(), res.jobId(), res.rank()));
    }

    /** The ranks of this node offered or migrating. */
    List<JobRank> reservedRanks() {
        return reserved.values().stream().map(r -> new JobRank(r.jobId(), r.rank())).toList();
    }

    /** The thief's host cannot run a rank of p's job: mpirun was not given it (Open MPI 4.1 cannot spawn there). */
    private static boolean outsideTheJob(ProcessProfile p, String thiefHost, Map<String, List<String>> jobHosts) {
        List<String> hosts = jobHosts.get(p.jobId());
        return hosts != null && !hosts.isEmpty() && !hosts.contains(thiefHost);
    }

    /** The thief's answer: an order to migrate if it accepted, else the process is free again. */
    public Optional<MigrateOrder> onAnswer(StealAnswer a) {
        Reserved res = reserved.get(a.stealId());
        if (res == null || res.ordered() || !res.thief().equals(a.thief())) {
            return Optional.empty();
        }
        if (!a.accept()) {
            reserved.remove(a.stealId());
            return Optional.empty();
        }
        reserved.put(a.stealId(), new Reserved(res.stealId(), res.thief(), res.jobId(), res.rank(), res.since(), true));
        given.put(res.stealId(), new Given(res.jobId(), res.since()));
        return Optional.of(new MigrateOrder(res.stealId(), res.thief(), res.jobId(), res.rank()));
    }

    /** The ordered migration ended: the process is free again and the thief is told. */
    public Optional<Outgoing> onMigrationEnded(long stealId, boolean migrated, String detail) {
        Reserved res = reserved.remove(stealId);
        if (res == null) {
            return Optional.empty();
        }
        if (!migrated) {
            given.remove(stealId);   // it did not move: it does not count against the budget
            if (spawnStalled(detail)) {
                stalledAt.add(res.jobId() + " " + res.thief());
            }
        }
        return Optional.of(new Outgoing(res.thief(),
                new StealOutcome(stealId, address, res.jobId(), res.rank(), migrated, detail)));
    }

    /** libpcm's words for a spawn that stalled, or a host refused after one (pcm_migrate.c, pcm_target.c). */
    static boolean spawnStalled(String detail) {
        return detail != null && (detail.contains("start of a process there stalled")
                || detail.contains("a spawn of this job there stalled earlier"));
    }

    /** Offers not answered within the reply timeout are withdrawn. */
    public void expire(long now) {
        reserved.values().removeIf(r -> !r.ordered() && now - r.since() > settings.replyTimeout().toMillis());
    }

    public boolean isReserved(String jobId, int rank) {
        return reserved.values().stream().anyMatch(r -> r.jobId().equals(jobId) && r.rank() == rank);
    }

    /** Jobs with a process of this node offered or migrating. */
    public List<String> migratingJobs() {
        return reserved.values().stream().map(Reserved::jobId).distinct().sorted().toList();
    }

    /** Whether this node gave away move-budget ranks of {@code jobId} within the budget's window. */
    private boolean overBudget(String jobId) {
        if (settings.moveBudgetWindow().isZero()) {
            return false;
        }
        return given.values().stream().filter(g -> g.jobId().equals(jobId)).count() >= settings.moveBudget();
    }

    private Set<String> fullJobs(Neighbourhood n) {
        Map<String, Integer> count = new HashMap<>();
        reserved.values().forEach(r -> count.merge(r.jobId(), 1, Integer::sum));
        n.views().values().forEach(v -> v.migratingJobs().forEach(j -> count.merge(j, 1, Integer::sum)));
        Set<String> full = new HashSet<>();
        count.forEach((job, c) -> {
            if (c >= settings.maxMigrationsPerJob()) {
                full.add(job);
            }
        });
        return full;
    }
}
