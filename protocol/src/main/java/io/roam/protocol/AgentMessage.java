package io.roam.protocol;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.topologies.NodeInfo;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What one agent says to another (and what the local control API asks its own agent).
 * Each agent registers an {@code ActorRef<AgentMessage>} with the receptionist under
 * {@link #SERVICE_KEY_ID}.
 */
public interface AgentMessage extends RoamMessage {
    /** The receptionist key id of every agent. */
    String SERVICE_KEY_ID = "roam-agent";

    /** Asks an agent for its own node's status. */
    record StatusQuery(ActorRef<NodeStatus> replyTo) implements AgentMessage {
        public StatusQuery {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /**
     * Moves rank {@code rank} of job {@code jobId}, which runs on the receiving agent's node,
     * to the node of the agent at {@code targetAddress}. Progress goes to {@code replyTo}.
     */
    record MigrateRank(String jobId, int rank, String targetAddress, ActorRef<MigrationEvent> replyTo)
            implements AgentMessage {
        public MigrateRank {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(targetAddress, "targetAddress");
            Objects.requireNonNull(replyTo, "replyTo");
            if (rank < 0) {
                throw new IllegalArgumentException("rank must be >= 0, was " + rank);
            }
        }
    }

    /**
     * Sent by the source agent to the target agent before it orders a migration: the
     * replacement of (job, rank) will register here with this order id; report it to
     * {@code replyTo}.
     */
    record ExpectArrival(long orderId, String jobId, int rank, ActorRef<MigrationEvent> replyTo)
            implements AgentMessage {
        public ExpectArrival {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /**
     * A node's status: who it is, how many MPI slots it offers, and which PCM processes are
     * registered with its agent.
     */
    record NodeStatus(NodeInfo node, long upSinceMillis, boolean manager, int slots, List<ProcessInfo> processes,
                      List<String> neighbours, List<ProcessProfile> profiles, NodeProfile profile)
            implements RoamMessage {
        public NodeStatus {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(profile, "profile");
            processes = List.copyOf(processes);
            neighbours = List.copyOf(neighbours);
            profiles = List.copyOf(profiles);
        }
    }

    /** One PCM process as its agent knows it. */
    record ProcessInfo(String jobId, int rank, int size, long pid, String host, int moves, long registeredAtMillis)
            implements RoamMessage {
        public ProcessInfo {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(host, "host");
        }
    }
}
