package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.Register;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PCM daemon actor on its own, no cluster: a process on its socket registers, reports,
 * receives an order and leaves; the agent is a test probe.
 */
class PcmDaemonActorTest {
    private static final ActorTestKit kit = ActorTestKit.create("pcm-daemon-actor");

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private AgentSettings settings() {
        return AgentSettings.from(ConfigFactory.parseString("roam.agent { host = h1, pcm.socket = \""
                + dir.resolve("agent.sock") + "\" }").withFallback(TestAgents.INVENTED_PIDS)
                .withFallback(ConfigFactory.load()));
    }

    private static void send(SocketChannel ch, PcmMessage m) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(PcmCodec.encode(m));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** The next frame the daemon wrote that is of {@code type}, skipping others (its welcome). */
    private static <T extends PcmMessage> T read(SocketChannel ch, Class<T> type) throws Exception {
        while (true) {
            ByteBuffer len = ByteBuffer.allocate(4);
            while (len.hasRemaining()) {
                assertThat(ch.read(len)).as("the daemon closed the connection").isNotNegative();
            }
            ByteBuffer body = ByteBuffer.allocate(len.getInt(0));
            while (body.hasRemaining()) {
                assertThat(ch.read(body)).isNotNegative();
            }
            PcmMessage m = PcmCodec.decode(body.flip());
            if (type.isInstance(m)) {
                return type.cast(m);
            }
        }
    }

    @Test
    void registersRoutesOrdersAndForgetsAProcess() throws Exception {
        AgentSettings s = settings();
        TestProbe<PcmDaemon.Event> agent = kit.createTestProbe();
        TestProbe<PcmDaemon.OrderResult> orders = kit.createTestProbe();
        ActorRef<PcmDaemon.Command> daemon = kit.spawn(PcmDaemon.create(s, agent.getRef()));
        agent.awaitAssert(Duration.ofSeconds(10), () -> {
            assertThat(PcmDaemon.accepts(s.pcmSocket())).isTrue();
            return null;
        });

        daemon.tell(new PcmDaemon.Order("job-x", 0, 5, "h2", orders.getRef()));
        PcmDaemon.OrderResult none = orders.receiveMessage();
        assertThat(none.sent()).isFalse();
        assertThat(none.detail()).contains("no process of job job-x rank 0 is registered here");

        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(s.pcmSocket()));
            send(ch, new Register("job-x", 0, 2, 3001, "h1", 0, "/bin/heat", 0));
            PcmDaemon.FromProcess reg = agent.expectMessageClass(PcmDaemon.FromProcess.class);
            assertThat(reg.process().jobId()).isEqualTo("job-x");
            assertThat(reg.process().pid()).isEqualTo(3001);
            assertThat(reg.message()).isInstanceOf(Register.class);

            daemon.tell(new PcmDaemon.Order("job-x", 0, 6, "h2", orders.getRef()));
            PcmDaemon.OrderResult sent = orders.receiveMessage();
            assertThat(sent.sent()).isTrue();
            assertThat(sent.detail()).isEqualTo("order sent to pid 3001");
            PcmMessage.Migrate migrate = read(ch, PcmMessage.Migrate.class);
            assertThat(migrate.orderId()).isEqualTo(6);
            assertThat(migrate.targetHost()).isEqualTo("h2");

            send(ch, new PcmMessage.MigrationStarted(6, 40));
            PcmDaemon.FromProcess started = agent.expectMessageClass(PcmDaemon.FromProcess.class);
            assertThat(started.message()).isEqualTo(new PcmMessage.MigrationStarted(6, 40));
            assertThat(started.process().rank()).isZero();
        }
        PcmDaemon.ProcessGone gone = agent.expectMessageClass(PcmDaemon.ProcessGone.class, Duration.ofSeconds(10));
        assertThat(gone.process().pid()).isEqualTo(3001);

        daemon.tell(new PcmDaemon.Order("job-x", 0, 7, "h2", orders.getRef()));
        assertThat(orders.receiveMessage().sent()).as("forgotten once its connection ended").isFalse();
    }
}
