package io.roam.protocol;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.List;
import java.util.Objects;

/**
 * The work-stealing protocol between agents. Agents are named by their cluster address; the
 * agent (or a simulator) resolves addresses to whatever carries the messages, so the
 * protocol logic in {@code io.roam.protocol.stealing} has no actor in it.
 *
 * <p>A thief sends a {@link StealRequest} to a victim; the victim either offers one of its
 * processes ({@link StealOffer}), forwards the request while its TTL lasts, or refuses
 * ({@link StealRefused}). The thief answers an offer ({@link StealAnswer}); on acceptance
 * the victim orders the migration and reports its end ({@link StealOutcome}).
 */
public interface StealMessage extends AgentMessage {

    /** A thief asks for work, carrying its profile and its processes (for the communication gain). */
    record StealRequest(long stealId, String thief, NodeProfile thiefProfile, List<ProcessProfile> thiefProcesses,
                        int ttl, List<String> visited) implements StealMessage {
        public StealRequest {
            Objects.requireNonNull(thief, "thief");
            Objects.requireNonNull(thiefProfile, "thiefProfile");
            thiefProcesses = List.copyOf(thiefProcesses);
            visited = List.copyOf(visited);
            if (ttl < 0) {
                throw new IllegalArgumentException("ttl must be >= 0, was " + ttl);
            }
        }

        /** This request forwarded by {@code by}: one hop less, {@code by} visited. */
        public StealRequest forwardedBy(String by) {
            List<String> v = new java.util.ArrayList<>(visited);
            v.add(by);
            return new StealRequest(stealId, thief, thiefProfile, thiefProcesses, ttl - 1, v);
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

    /** The last victim a request reached has nothing worth giving. */
    record StealRefused(long stealId, String victim, String reason) implements StealMessage {
        public StealRefused {
            Objects.requireNonNull(victim, "victim");
            Objects.requireNonNull(reason, "reason");
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
                         List<String> migratingJobs) implements StealMessage {
        public NeighbourView {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(profile, "profile");
            ranks = List.copyOf(ranks);
            migratingJobs = List.copyOf(migratingJobs);
        }
    }

    /** One rank of one job. */
    record JobRank(String jobId, int rank) implements RoamMessage {
        public JobRank {
            Objects.requireNonNull(jobId, "jobId");
        }
    }
}
