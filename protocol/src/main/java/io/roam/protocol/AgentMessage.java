package io.roam.protocol;

import io.roam.decision.MoveEffect;
import io.roam.decision.Summary;
import io.roam.profiling.NetworkProfile;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage;
import io.roam.topologies.NodeInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What one agent says to another (and what the local control API asks its own agent).
 * Each agent registers an {@code ActorRef<AgentMessage>} with the receptionist under
 * {@link #SERVICE_KEY_ID}. Sealed: every message an agent can receive is listed here (and
 * registered in {@link RoamKryo}); the work-stealing messages travel inside {@link Steal}.
 */
public sealed interface AgentMessage extends RoamMessage
        permits AgentMessage.StatusQuery, AgentMessage.MigrateRank, AgentMessage.ExpectArrival, AgentMessage.MoveMeasured,
        AgentMessage.ProbeRequest, AgentMessage.SetDrained, AgentMessage.StopAgent, AgentMessage.Steal,
        AgentMessage.ResizeJob, MigrationHistory.Query, NodeHistory.Query {
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
     * Runs job {@code jobId}, whose rank 0 runs on the receiving agent's node, with {@code ranks}
     * processes. A grow starts the new ones on {@code hosts} (MPI host names, one per new
     * process in rank order, cycled; empty = rank 0's host); a shrink ignores them. Progress
     * goes to {@code replyTo}.
     */
    record ResizeJob(String jobId, int ranks, java.util.List<String> hosts, ActorRef<ResizeEvent> replyTo)
            implements AgentMessage {
        public ResizeJob {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(replyTo, "replyTo");
            hosts = java.util.List.copyOf(hosts);
            if (ranks < 1) {
                throw new IllegalArgumentException("ranks must be >= 1, was " + ranks);
            }
        }
    }

    /**
     * Sent by the source agent to the target agent before it orders a migration: the
     * replacement of (job, rank) will register here with this order id; report it to
     * {@code replyTo}. {@code beforeNs} is the job's iteration time as the rank saw it over
     * the source's last window of heartbeats (the "before" of the move's effect); the target
     * measures the "after" and tells both agents ({@link MoveMeasured}), the source at
     * {@code sourceAgent}.
     */
    record ExpectArrival(long orderId, String jobId, int rank, ActorRef<MigrationEvent> replyTo, Summary beforeNs,
                         ActorRef<AgentMessage> sourceAgent) implements AgentMessage {
        public ExpectArrival {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(replyTo, "replyTo");
            Objects.requireNonNull(beforeNs, "beforeNs");
            Objects.requireNonNull(sourceAgent, "sourceAgent");
        }
    }

    /**
     * What a move did to its job, measured by the target agent once the replacement had run
     * for a window of heartbeats (docs/architecture.md, "Feedback"): sent to the source agent
     * (its migration log shows it; its stealer holds back a move that did not help) and to
     * the target agent itself (a move that made the job slower lets the rank go back).
     */
    record MoveMeasured(long orderId, String jobId, int rank, String targetAddress, String targetHost,
                        MoveEffect effect) implements AgentMessage {
        public MoveMeasured {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(targetAddress, "targetAddress");
            Objects.requireNonNull(targetHost, "targetHost");
            Objects.requireNonNull(effect, "effect");
        }
    }

    /**
     * A network probe from another agent's link prober: the receiving agent answers at once
     * with a {@link ProbeReply} carrying {@code seq}, {@code sentNanos} (the sender's clock,
     * returned unchanged) and the payload's length. A large probe travels as several
     * requests of the same {@code seq}, each of at most {@link #MAX_PAYLOAD} bytes.
     */
    record ProbeRequest(long seq, long sentNanos, byte[] payload, ActorRef<ProbeReply> replyTo)
            implements AgentMessage {
        /** The largest payload of one request (well below Artery's frame size of 256 KiB). */
        public static final int MAX_PAYLOAD = 64 * 1024;

        public ProbeRequest {
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(replyTo, "replyTo");
            if (payload.length > MAX_PAYLOAD) {
                throw new IllegalArgumentException("probe payload of " + payload.length + " bytes; at most "
                        + MAX_PAYLOAD);
            }
        }

        /** The answer to this request. */
        public ProbeReply reply() {
            return new ProbeReply(seq, sentNanos, payload.length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ProbeRequest r && r.seq == seq && r.sentNanos == sentNanos
                    && Arrays.equals(r.payload, payload) && r.replyTo.equals(replyTo);
        }

        @Override
        public int hashCode() {
            return Objects.hash(seq, sentNanos, Arrays.hashCode(payload), replyTo);
        }

        @Override
        public String toString() {
            return "ProbeRequest[seq=" + seq + ", sentNanos=" + sentNanos + ", payload=" + payload.length
                    + " bytes, replyTo=" + replyTo + "]";
        }
    }

    /** The answer to a {@link ProbeRequest}: its seq and sentNanos, and how many payload bytes arrived. */
    record ProbeReply(long seq, long sentNanos, int bytes) implements RoamMessage {
    }

    /**
     * A node's status: who it is, how many MPI slots it offers, which PCM processes are
     * registered with its agent, its profile and its network profile, whether it is drained
     * (takes no new work), and the path of its PCM socket with %h for its host name (what
     * {@code roam run} gives the ranks as ROAM_AGENT_SOCKET).
     */
    record NodeStatus(NodeInfo node, long upSinceMillis, boolean manager, int slots, List<ProcessInfo> processes,
                      List<String> neighbours, List<ProcessProfile> profiles, NodeProfile profile,
                      NetworkProfile network, boolean drained, String pcmSocket)
            implements RoamMessage {
        public NodeStatus {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(pcmSocket, "pcmSocket");
            Objects.requireNonNull(profile, "profile");
            Objects.requireNonNull(network, "network");
            processes = List.copyOf(processes);
            neighbours = List.copyOf(neighbours);
            profiles = List.copyOf(profiles);
        }
    }

    /**
     * Marks the receiving agent's node drained (it takes no new work: it never steals, and
     * drains and manual migrations do not choose it) or undrained. The agent answers with
     * its status once the mark is set.
     */
    record SetDrained(boolean drained, ActorRef<NodeStatus> replyTo) implements AgentMessage {
        public SetDrained {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /**
     * Asks the receiving agent to stop gracefully, as on SIGTERM: if {@code drain}, it drains
     * its node first (within roam.agent.drain.deadline, when roam.agent.drain.on-stop is on),
     * then leaves the cluster and exits. {@code reason} goes to its log.
     */
    record StopAgent(String reason, boolean drain) implements AgentMessage {
        public StopAgent {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A work-stealing message ({@code io.roam.stealing}, plain Java: its nodes are addresses,
     * not actor refs) on its way to another agent, which hands it to its stealer. The sender
     * resolves the message's destination address to the agent's ref itself.
     */
    record Steal(StealMessage message) implements AgentMessage {
        public Steal {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * One PCM process as its agent knows it. {@code stalled} is empty, or what the process
     * reported when a reconfiguration of its job stalled (MIGRATION_STALLED): the process, the
     * MPI call and step it waits in, for how long; libpcm ends such a job shortly after.
     */
    record ProcessInfo(String jobId, int rank, int size, long pid, String host, int moves, long registeredAtMillis,
                       String stalled, boolean malleable)
            implements RoamMessage {
        public ProcessInfo {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(stalled, "stalled");
        }

        /** A process that has not reported a stall nor declared itself malleable. */
        public ProcessInfo(String jobId, int rank, int size, long pid, String host, int moves,
                           long registeredAtMillis) {
            this(jobId, rank, size, pid, host, moves, registeredAtMillis, "", false);
        }

        /** A process that has not declared itself malleable. */
        public ProcessInfo(String jobId, int rank, int size, long pid, String host, int moves,
                           long registeredAtMillis, String stalled) {
            this(jobId, rank, size, pid, host, moves, registeredAtMillis, stalled, false);
        }

        /** This process, having reported a stall with this detail. */
        public ProcessInfo withStalled(String detail) {
            return new ProcessInfo(jobId, rank, size, pid, host, moves, registeredAtMillis, detail, malleable);
        }

        /**
         * This process once it said whether its program is malleable (libpcm's PROCESS_FLAGS
         * frame after REGISTER: PCM_Malleable): the agents may then resize its job.
         */
        public ProcessInfo withMalleable(boolean isMalleable) {
            return new ProcessInfo(jobId, rank, size, pid, host, moves, registeredAtMillis, stalled, isMalleable);
        }

        /** The same process once its job runs with {@code newSize} processes (a resize). */
        public ProcessInfo withSize(int newSize) {
            return new ProcessInfo(jobId, rank, newSize, pid, host, moves, registeredAtMillis, stalled, malleable);
        }
    }
}
