package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * An agent whose actor system does not end after its shutdown (as when an Artery stream never
 * completes) still counts as stopped within the grace period, and says so with the stacks of
 * the threads that hold it: {@code roam agent} then exits instead of hanging its process.
 */
@Tag("system")
class AgentStopTest {
    @TempDir
    Path dir;

    @Test
    @ResourceLock(Resources.SYSTEM_ERR)
    void anActorSystemThatDoesNotEndStillLetsTheAgentStop() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        PrintStream err = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        try (TestAgents agents = new TestAgents(dir)) {
            Agent a = agents.start("h1", "default", "p2p");
            // an actor that blocks its thread when stopped, so the system cannot end
            a.system().systemActorOf(stuck(release), "stuck-on-stop", Props.empty());
            System.setErr(new PrintStream(new TeeStream(err, logged), true, StandardCharsets.UTF_8));
            long t0 = System.nanoTime();
            a.stop(false, "test");
            long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertThat(a.stopped()).isDone();
            assertThat(a.system().whenTerminated().isCompleted()).as("the system is still held").isFalse();
            assertThat(waited).as("stopped within the grace, not the whole stop bound")
                    .isLessThan(AgentShutdown.TERMINATE_GRACE.toSeconds() + 60);
            String log = logged.toString(StandardCharsets.UTF_8);
            assertThat(log).contains("the actor system did not end within 15 s of the shutdown's last phase")
                    .contains("BlockedOnStop");
        } finally {
            System.setErr(err);
            release.countDown();
        }
    }

    private static Behavior<Object> stuck(CountDownLatch release) {
        return Behaviors.receive(Object.class).onSignal(PostStop.class, s -> BlockedOnStop.await(release)).build();
    }

    /** Named so that its frame is recognisable in the logged stacks. */
    private static final class BlockedOnStop {
        static Behavior<Object> await(CountDownLatch release) throws InterruptedException {
            release.await(120, TimeUnit.SECONDS);
            return Behaviors.same();
        }
    }

    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
