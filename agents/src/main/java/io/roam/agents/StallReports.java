package io.roam.agents;

import io.roam.pcm.wire.PcmMessage.MigrationStalled;
import io.roam.protocol.AgentMessage.ExpectArrival;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.Phase;
import org.slf4j.Logger;

/**
 * What an agent does when one of its processes reports a stalled reconfiguration
 * (MIGRATION_STALLED, docs/pcm-protocol.md): libpcm's watchdog found no progress within
 * ROAM_PCM_STALL_MS and will end the job shortly after (docs/failure-model.md). The agent
 * logs it, marks the process stalled in its status (so `roam status` and the web view show
 * the job stalled, with the detail), reports STALLED on the migration if it is its source
 * (so `roam migrate` prints it), relays it to the source if it expects the replacement, and
 * fails the job's migrations from here once a stalled process is gone. Not thread-safe:
 * owned by the agent actor.
 */
final class StallReports {
    private final String host;
    private final MigrationTable migrations;
    private final Logger log;

    StallReports(String host, MigrationTable migrations, Logger log) {
        this.host = host;
        this.migrations = migrations;
        this.log = log;
    }

    /**
     * Process {@code p} reported a stall; {@code arrival} is this agent's expectation of the
     * order's replacement, or null. Returns the process as the status shows it from now on.
     */
    ProcessInfo stalled(ProcessInfo p, MigrationStalled s, ExpectArrival arrival) {
        String detail = "on " + host + ", pid " + p.pid() + ": " + s.detail();
        log.warn("job {} rank {}: reconfiguration stalled (order {}, rank {} moving), {}", p.jobId(), p.rank(),
                s.orderId(), s.rank(), detail);
        migrations.report(s.orderId(), Phase.STALLED, detail, null);
        if (arrival != null) {
            arrival.replyTo().tell(new MigrationEvent(s.orderId(), arrival.jobId(), arrival.rank(), Phase.STALLED,
                    System.currentTimeMillis(), detail, null));
        }
        return p.withStalled(detail);
    }

    /**
     * A process is gone ({@code last}: as the status showed it, or null). If it had reported a
     * stall, libpcm has ended its job: the job's migrations from this node fail at once rather
     * than at roam.agent.migration.timeout.
     */
    void gone(ProcessInfo last) {
        if (last == null || last.stalled().isEmpty()) {
            return;
        }
        for (MigrationTable.Pending m : migrations.ofJob(last.jobId())) {
            migrations.report(m.orderId(), Phase.FAILED, "libpcm ended job " + last.jobId()
                    + " because its reconfiguration stalled (" + last.stalled() + ")", null);
        }
    }
}
