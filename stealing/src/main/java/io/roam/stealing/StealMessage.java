package io.roam.stealing;

import io.roam.decision.Summary;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.List;
import java.util.Objects;

/**
 * The work-stealing protocol between agents. Agents are named by their cluster address, never
 * by an actor reference: the agent (or a simulator) resolves addresses to whatever carries the
 * messages, so this package has no actor in it and needs neither Pekko nor Kryo. Between
 * agents a message travels wrapped in {@code io.roam.protocol.AgentMessage.Steal}, and the
 * agents' Kryo registrations (io.roam.protocol.RoamKryo) cover every record here.
 *
 * <p>A thief sends a {@link StealRequest} to a victim; the victim either offers one of its
 * processes ({@link StealOffer}), forwards the request while its TTL lasts, or refuses
 * ({@link StealRefused}). The thief answers an offer ({@link StealAnswer}); on acceptance
 * the victim orders the migration and reports its end ({@link StealOutcome}).
 *
 * <p>A swap (the informed protocol's, {@link Swaps}) reuses them: a node below the average load
 * sends a {@link SwapRequest} to an overloaded node it heard of ({@link SwapHint}); that node
 * answers with a {@link SwapOffer} (its rank to go, the asker's rank to come back or none) or a
 * {@link StealRefused}; the asker answers with a {@link StealAnswer} and, accepting, orders its
 * own rank's move at once; on the answer the other orders its rank's move; each reports the end
 * of its move to the other with a {@link StealOutcome}. The swap's id plays the steal id's part.
 */
public sealed interface StealMessage
        permits StealMessage.StealRequest, StealMessage.StealOffer, StealMessage.StealRefused,
        StealMessage.StealAnswer, StealMessage.StealOutcome, StealMessage.NeighbourView, StealMessage.SwapRequest,
        StealMessage.SwapOffer {

    /**
     * A thief asks for work, carrying its profile and its processes (for the communication
     * gain) and the summary of its own window of what it would give one more process (median,
     * spread, samples; 0 samples = none), for a victim that has not heard from it enough (a
     * request forwarded beyond the thief's neighbours).
     */
    record StealRequest(long stealId, String thief, NodeProfile thiefProfile, List<ProcessProfile> thiefProcesses,
                        int ttl, List<String> visited, double offerMedian, double offerSpread, int offerSamples)
            implements StealMessage {
        public StealRequest {
            Objects.requireNonNull(thief, "thief");
            Objects.requireNonNull(thiefProfile, "thiefProfile");
            thiefProcesses = List.copyOf(thiefProcesses);
            visited = List.copyOf(visited);
            if (ttl < 0) {
                throw new IllegalArgumentException("ttl must be >= 0, was " + ttl);
            }
            if (offerSamples < 0) {
                throw new IllegalArgumentException("offerSamples must be >= 0, was " + offerSamples);
            }
        }

        /** A request without the thief's window (it has none yet). */
        public StealRequest(long stealId, String thief, NodeProfile thiefProfile, List<ProcessProfile> thiefProcesses,
                            int ttl, List<String> visited) {
            this(stealId, thief, thiefProfile, thiefProcesses, ttl, visited, 0, 0, 0);
        }

        /** This request forwarded by {@code by}: one hop less, {@code by} visited. */
        public StealRequest forwardedBy(String by) {
            List<String> v = new java.util.ArrayList<>(visited);
            v.add(by);
            return new StealRequest(stealId, thief, thiefProfile, thiefProcesses, ttl - 1, v, offerMedian, offerSpread,
                    offerSamples);
        }

        /** This request carrying {@code offer}, the thief's window of its offer for one more process. */
        public StealRequest withOffer(Summary offer) {
            return offer.samples() == 0 ? this : new StealRequest(stealId, thief, thiefProfile, thiefProcesses, ttl,
                    visited, offer.median(), offer.spread(), offer.samples());
        }

        /** The thief's window of its offer, as it sent it. */
        public Summary offer() {
            return offerSamples == 0 ? Summary.NONE : new Summary(offerMedian, offerSpread, offerSamples);
        }
    }

    /** A victim offers a process to the thief; it stays reserved until the answer or a timeout. */
    record StealOffer(long stealId, String victim, String jobId, int rank, double score, long stateBytes)
            implements StealMessage {
        public StealOffer {
            Objects.requireNonNull(victim, "victim");
            Objects.requireNonNull(jobId, "jobId");
        }
    }

    /**
     * The last victim a request reached has nothing worth giving. {@code pending}: not yet,
     * rather than not at all: a process might have been given but the victim's windows hold
     * too few samples yet; the thief asks again at its next period instead of backing off.
     */
    record StealRefused(long stealId, String victim, String reason, boolean pending) implements StealMessage {
        public StealRefused {
            Objects.requireNonNull(victim, "victim");
            Objects.requireNonNull(reason, "reason");
        }

        /** A refusal that is not pending. */
        public StealRefused(long stealId, String victim, String reason) {
            this(stealId, victim, reason, false);
        }
    }

    /** The thief takes the offered process or not (it may have been served meanwhile). */
    record StealAnswer(long stealId, String thief, boolean accept, String reason) implements StealMessage {
        public StealAnswer {
            Objects.requireNonNull(thief, "thief");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The victim tells the thief how the migration it accepted ended. */
    record StealOutcome(long stealId, String victim, String jobId, int rank, boolean migrated, String detail)
            implements StealMessage {
        public StealOutcome {
            Objects.requireNonNull(victim, "victim");
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * What an agent tells its neighbours at each stealing period (IOS's profile exchange):
     * its node profile, the ranks it hosts and the jobs it is migrating a rank of. ATS and NTS
     * weigh victims with it; victims count a job's migrations in flight with it. Under the
     * informed protocol also its gossip ({@link LoadGossip}: {@code averageLoad}, {@code hints})
     * and, with swaps, the swaps' ({@link SwapGossip}: {@code workAverage}, the estimate of the
     * average load by work, s per iteration, -1 none; {@code swapHints}).
     */
    record NeighbourView(String address, NodeProfile profile, List<JobRank> ranks,
                         List<String> migratingJobs, double averageLoad, List<Hint> hints, double workAverage,
                         List<SwapHint> swapHints) implements StealMessage {
        public NeighbourView {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(profile, "profile");
            ranks = List.copyOf(ranks);
            migratingJobs = List.copyOf(migratingJobs);
            hints = List.copyOf(hints);
            swapHints = List.copyOf(swapHints);
        }

        /** A view with the informed protocol's gossip but without the swaps'. */
        public NeighbourView(String address, NodeProfile profile, List<JobRank> ranks, List<String> migratingJobs,
                             double averageLoad, List<Hint> hints) {
            this(address, profile, ranks, migratingJobs, averageLoad, hints, -1, List.of());
        }

        /**
         * A view without the informed protocol's gossip ({@link LoadGossip}): no estimate of the
         * average load (-1), no hints.
         */
        public NeighbourView(String address, NodeProfile profile, List<JobRank> ranks, List<String> migratingJobs) {
            this(address, profile, ranks, migratingJobs, -1, List.of());
        }
    }

    /**
     * The informed protocol's gossip ({@link LoadGossip}): {@code node} was overloaded, its load
     * (processes per 10^8 updates/s of its capacity) {@code load}, as heard {@code hops} views
     * away (0: from the node itself).
     */
    record Hint(io.roam.topologies.NodeInfo node, double load, int hops) {
        public Hint {
            Objects.requireNonNull(node, "node");
        }
    }

    /**
     * The swaps' gossip ({@link SwapGossip}): {@code node} was above swap-above x its estimate of
     * the average load by work; its load {@code load} (s per iteration), its number of ranks, the
     * weights of its largest and smallest ranks {@code largest}, {@code smallest} (updates per
     * iteration), its capacity (updates/s), as heard {@code hops} views away (0: from the node
     * itself).
     */
    record SwapHint(io.roam.topologies.NodeInfo node, double load, int ranks, double largest, double smallest,
                    double capacity, int hops) {
        public SwapHint {
            Objects.requireNonNull(node, "node");
        }
    }

    /**
     * A node below the average asks an overloaded node for a swap: it would take one of that
     * node's ranks and give back one of {@code offered} (its ranks free to move) or none. It
     * carries its profile and processes (their weights) as a steal request does.
     */
    record SwapRequest(long swapId, String initiator, NodeProfile initiatorProfile,
                       List<ProcessProfile> initiatorProcesses, List<JobRank> offered) implements StealMessage {
        public SwapRequest {
            Objects.requireNonNull(initiator, "initiator");
            Objects.requireNonNull(initiatorProfile, "initiatorProfile");
            initiatorProcesses = List.copyOf(initiatorProcesses);
            offered = List.copyOf(offered);
        }
    }

    /**
     * The asked node's pair: its rank {@code jobId}/{@code rank} goes to the initiator and the
     * initiator's {@code backJobId}/{@code backRank} comes back ({@code backJobId} null: none).
     * Its rank stays reserved until the answer (a {@link StealAnswer}) or the reply timeout.
     */
    record SwapOffer(long swapId, String node, String jobId, int rank, String backJobId, int backRank,
                     String reason) implements StealMessage {
        public SwapOffer {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(reason, "reason");
        }

        /** Whether a rank comes back (else the swap is a pull). */
        public boolean withReturn() {
            return backJobId != null;
        }
    }

    /** One rank of one job. */
    record JobRank(String jobId, int rank) {
        public JobRank {
            Objects.requireNonNull(jobId, "jobId");
        }
    }
}
