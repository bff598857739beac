package io.roam.stealing;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.StealAnswer;
import io.roam.stealing.StealMessage.StealOffer;
import io.roam.stealing.StealMessage.StealOutcome;
import io.roam.stealing.StealMessage.StealRefused;
import io.roam.stealing.StealMessage.StealRequest;
import io.roam.topologies.NodeInfo;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The thief side of work stealing, as a plain state machine (the agent and the simulator
 * drive it with their own clocks and transports). A node is a thief while its available
 * processing is at least {@code thief-share} of its capacity; it has one steal outstanding
 * at a time, backs off exponentially after refusals and timeouts (until the neighbourhood
 * changes: a neighbour's CPU limit or rank count; a pending refusal, one for too few
 * samples yet, is no reason to back off), and waits {@code settle-time} after a
 * migration it received before it steals again (the profiles must first show the new load).
 */
public final class Thief {
    private enum State { IDLE, WAITING, ACCEPTED }

    private final String address;
    private final StealSettings settings;
    private final RandomGenerator rnd;
    private final long idBase;
    private long counter;
    private State state = State.IDLE;
    private long stealId;
    private long since;
    private int refusals;
    private long notBefore;
    private long pendingSignature;   // the neighbourhood's signature when the request went out
    private long backedOffIn;        // ... and for the request whose refusal started the back-off
    private final ThiefStats stats = new ThiefStats();

    public Thief(String address, StealSettings settings, RandomGenerator rnd) {
        this.address = address;
        this.settings = settings;
        this.rnd = rnd;
        this.idBase = ((long) address.hashCode() & 0x7fff_ffffL) << 32;
    }

    /** True when {@code self} has enough available processing to take work. */
    public boolean isThief(NodeProfile self) {
        return self.availableShare() >= settings.thiefShare();
    }

    /**
     * One stealing period: times out what waited too long and, if this node is an idle thief
     * not backing off, sends a steal request to a victim picked by the configured protocol.
     */
    public Optional<Outgoing> tick(long now, NodeProfile self, List<ProcessProfile> own, Neighbourhood n) {
        if (state == State.WAITING && now - since > settings.replyTimeout().toMillis() * (settings.ttl() + 1)) {
            stats.timeouts++;
            backOff(now);
        } else if (state == State.ACCEPTED && now - since > settings.migrationTimeout().toMillis()) {
            stats.timeouts++;
            backOff(now);
        }
        if (state == State.IDLE && refusals > 0 && now < notBefore && signature(n) != backedOffIn) {
            // the neighbourhood changed (a node slowed down, came, left, or its ranks moved): what
            // was refused before may be given now, so the back-off ends
            stats.backoffResets++;
            refusals = 0;
            notBefore = now;
        }
        if (state != State.IDLE || now < notBefore || !isThief(self)) {
            return Optional.empty();
        }
        Optional<NodeInfo> victim = settings.protocol().choose(n, own, Set.of(address), rnd);
        if (victim.isEmpty()) {
            return Optional.empty();
        }
        state = State.WAITING;
        pendingSignature = signature(n);
        stealId = idBase | (++counter & 0xffff_ffffL);
        since = now;
        stats.requests++;
        return Optional.of(new Outgoing(victim.get().address(),
                new StealRequest(stealId, address, self, own, settings.ttl(), List.of())));
    }

    /** An offer: accepted only for the outstanding request and while this node is still a thief. */
    public Outgoing onOffer(StealOffer o, long now, NodeProfile self) {
        stats.offers++;
        String reason = null;
        if (state != State.WAITING || o.stealId() != stealId) {
            reason = "not waiting for steal " + Long.toHexString(o.stealId());
        } else if (!isThief(self)) {
            reason = "served meanwhile: available share " + String.format("%.2f", self.availableShare());
        }
        if (reason != null) {
            if (o.stealId() == stealId && state == State.WAITING) {
                state = State.IDLE;
                notBefore = now + settings.settleTime().toMillis();
            }
            return new Outgoing(o.victim(), new StealAnswer(o.stealId(), address, false, reason));
        }
        state = State.ACCEPTED;
        since = now;
        stats.accepted++;
        return new Outgoing(o.victim(), new StealAnswer(o.stealId(), address, true, "accepted"));
    }

    /**
     * A refusal: back-off, unless it is pending (the victim is still gathering the samples it
     * decides on): then the thief asks again at its next period.
     */
    public void onRefused(StealRefused r, long now) {
        if (state == State.WAITING && r.stealId() == stealId) {
            stats.refusals++;
            if (r.pending()) {
                stats.pending++;
                state = State.IDLE;
            } else {
                backOff(now);
            }
        }
    }

    /** The outcome of a steal; true if it was the one this thief accepted (and it is now settled). */
    public boolean onOutcome(StealOutcome o, long now) {
        if (state != State.ACCEPTED || o.stealId() != stealId) {
            return false;
        }
        state = State.IDLE;
        if (o.migrated()) {
            stats.received++;
            refusals = 0;
            notBefore = now + settings.settleTime().toMillis();
        } else {
            stats.failed++;
            backOff(now);
        }
        return true;
    }

    private void backOff(long now) {
        state = State.IDLE;
        refusals++;
        notBefore = now + settings.backoff(refusals).toMillis();
        backedOffIn = pendingSignature;
    }

    /**
     * What a change of the neighbourhood means to a thief: each neighbour's CPU limit (to
     * 0.05 core) and how many ranks it runs. Loads that merely fluctuate do not change it.
     */
    static long signature(Neighbourhood n) {
        long h = 17;
        for (var v : new java.util.TreeMap<>(n.views()).values()) {
            h = 31 * h + v.address().hashCode();
            h = 31 * h + (v.profile() == null ? -1 : Math.round(v.profile().cpuLimit() * 20));
            h = 31 * h + v.ranks().size();
        }
        return h;
    }

    /** True while a request or an accepted migration is outstanding. */
    public boolean busy() {
        return state != State.IDLE;
    }

    /** Refusals (and timeouts) in a row since the last success. */
    public int refusalsInARow() {
        return refusals;
    }

    /** When this thief may steal again (ms, its clock). */
    public long notBefore() {
        return notBefore;
    }

    public ThiefStats stats() {
        return stats;
    }

    /** Counters of one thief, for status and metrics. */
    public static final class ThiefStats {
        public long requests;
        public long offers;
        public long accepted;
        public long refusals;
        /** Refusals that were pending (no back-off). */
        public long pending;
        public long timeouts;
        public long received;
        public long failed;
        public long backoffResets;
    }
}
