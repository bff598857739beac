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
 */
public sealed interface StealMessage
        permits StealMessage.StealRequest, StealMessage.StealOffer, StealMessage.StealRefused,
        StealMessage.StealAnswer, StealMessage.StealOutcome, StealMessage.NeighbourView {

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
     * weigh victims with it; victims count a job's migrations in flight with it.
     */
    record NeighbourView(String address, NodeProfile profile, List<JobRank> ranks,
                         List<String> migratingJobs, double averageLoad, List<Hint> hints) implements StealMessage {
        public NeighbourView {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(profile, "profile");
            ranks = List.copyOf(ranks);
            migratingJobs = List.copyOf(migratingJobs);
            hints = List.copyOf(hints);
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

    /** One rank of one job. */
    record JobRank(String jobId, int rank) {
        public JobRank {
            Objects.requireNonNull(jobId, "jobId");
        }
    }
}
