package io.roam.heat;

import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A test agent for a job on this host: a PCM socket in a test's directory that records every
 * message and orders rank 1's first process to move to this host ("localhost") at an
 * iteration, as soon as it registers. Closed by the test.
 */
final class MovingAgent implements AutoCloseable {
    private final PcmServer server;
    private final PcmRecorder recorder;

    private MovingAgent(PcmServer server, PcmRecorder recorder) {
        this.server = server;
        this.recorder = recorder;
    }

    /** Something a test does when rank 1 has registered, just before the order goes out. */
    @FunctionalInterface
    interface BeforeOrder {
        void run() throws Exception;
    }

    /** Starts the agent on dir/agent.sock; order {@code order} moves rank 1 at {@code atIteration}. */
    static MovingAgent movingRank1(Path dir, long order, long atIteration) throws IOException {
        return movingRank1(dir, order, atIteration, () -> { });
    }

    /** As {@link #movingRank1(Path, long, long)}, running {@code before} first. */
    static MovingAgent movingRank1(Path dir, long order, long atIteration, BeforeOrder before) throws IOException {
        PcmRecorder recorder = new PcmRecorder();
        PcmServer server = new PcmServer(dir.resolve("agent.sock"), recorder, new PcmServer.Options("test-agent", 0))
                .start();
        recorder.addHook((conn, msg) -> {
            if (msg instanceof Register r && r.rank() == 1 && r.moves() == 0) {
                before.run();
                conn.send(new Migrate(order, "localhost", atIteration));
            }
        });
        return new MovingAgent(server, recorder);
    }

    PcmRecorder recorder() {
        return recorder;
    }

    Path socketPath() {
        return server.socketPath();
    }

    @Override
    public void close() {
        server.close();
    }
}
