package io.roam.pcm.wire;

import io.roam.pcm.wire.PcmMessage.Register;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A {@link PcmServer.Listener} for tests: records every message in arrival order, lets a test
 * wait for what it expects, and runs hooks for reactive logic ("when rank 2 registers, send it a
 * MIGRATE"). Thread-safe. The {@code await*} methods look at everything received so far, not only
 * at what arrives after the call, and throw {@link AssertionError} (listing what was received)
 * on timeout.
 */
public final class PcmRecorder implements PcmServer.Listener {
    private static final System.Logger LOG = System.getLogger(PcmRecorder.class.getName());

    /** One received message and the connection it came on. */
    public record Received(PcmConnection connection, PcmMessage message) {
        /** The message cast to {@code type}. */
        public <T extends PcmMessage> T as(Class<T> type) {
            return type.cast(message);
        }
    }

    /** Reactive test logic, run on the connection's thread after the message is recorded. */
    @FunctionalInterface
    public interface Hook {
        void onMessage(PcmConnection connection, PcmMessage message) throws Exception;
    }

    private final List<Received> received = new ArrayList<>(); // guarded by this
    private final List<PcmConnection> connected = new ArrayList<>(); // guarded by this
    private final Map<PcmConnection, Throwable> disconnected = new HashMap<>(); // guarded by this; cause or null
    private final List<Hook> hooks = new CopyOnWriteArrayList<>();
    private final List<Throwable> hookFailures = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void onConnect(PcmConnection connection) {
        connected.add(connection);
        notifyAll();
    }

    @Override
    public void onMessage(PcmConnection connection, PcmMessage message) {
        synchronized (this) {
            received.add(new Received(connection, message));
            notifyAll();
        }
        for (Hook hook : hooks) {
            try {
                hook.onMessage(connection, message);
            } catch (Exception | AssertionError e) {
                hookFailures.add(e);
                LOG.log(Level.WARNING, "hook failed on " + connection + " for " + message, e);
            }
        }
    }

    @Override
    public synchronized void onDisconnect(PcmConnection connection, Throwable causeOrNull) {
        disconnected.put(connection, causeOrNull);
        notifyAll();
    }

    /** Adds a hook, called for every later message. */
    public void addHook(Hook hook) {
        hooks.add(Objects.requireNonNull(hook, "hook"));
    }

    public void clearHooks() {
        hooks.clear();
    }

    /** Exceptions thrown by hooks so far; a test usually asserts this is empty. */
    public List<Throwable> hookFailures() {
        return List.copyOf(hookFailures);
    }

    /** Every message received so far, in arrival order. */
    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** Every message received so far, in arrival order, without connections. */
    public synchronized List<PcmMessage> messages() {
        return received.stream().map(Received::message).toList();
    }

    /** The messages received on one connection, in order. */
    public synchronized List<PcmMessage> messages(PcmConnection connection) {
        return received.stream().filter(r -> r.connection() == connection).map(Received::message).toList();
    }

    /** Every connection seen so far, in connection order. */
    public synchronized List<PcmConnection> connections() {
        return List.copyOf(connected);
    }

    /** Whether the server reported this connection closed. */
    public synchronized boolean isDisconnected(PcmConnection connection) {
        return disconnected.containsKey(connection);
    }

    /** The open connection whose latest REGISTER (of any job) has this rank, latest first. */
    public Optional<PcmConnection> connectionFor(long rank) {
        return connectionFor(r -> r.rank() == rank);
    }

    /** The open connection with the latest REGISTER of this job and rank. */
    public Optional<PcmConnection> connectionFor(String jobId, long rank) {
        return connectionFor(r -> r.rank() == rank && r.jobId().equals(jobId));
    }

    /** Waits for {@code count} REGISTERs (on any connection, live or not). */
    public List<Received> awaitRegistrations(int count, Duration timeout) throws InterruptedException {
        return awaitRegistrations(r -> true, count, timeout);
    }

    /** Waits until at least {@code count} REGISTERs match {@code filter}; returns all that match. */
    public List<Received> awaitRegistrations(Predicate<? super Register> filter, int count, Duration timeout)
            throws InterruptedException {
        return await(() -> {
            List<Received> matches = received.stream()
                    .filter(r -> r.message() instanceof Register reg && filter.test(reg)).toList();
            return matches.size() >= count ? Optional.of(matches) : Optional.empty();
        }, timeout, () -> count + " matching REGISTERs");
    }

    /** Waits for the first message (already received or not) matching {@code filter}. */
    public Received awaitMessage(Predicate<? super PcmMessage> filter, Duration timeout) throws InterruptedException {
        return await(() -> received.stream().filter(r -> filter.test(r.message())).findFirst(),
                timeout, () -> "a matching message");
    }

    /** Waits for the first message of {@code type} matching {@code filter}. */
    public <T extends PcmMessage> Received awaitMessage(Class<T> type, Predicate<? super T> filter, Duration timeout)
            throws InterruptedException {
        return await(() -> received.stream()
                        .filter(r -> type.isInstance(r.message()) && filter.test(type.cast(r.message()))).findFirst(),
                timeout, () -> "a matching " + type.getSimpleName());
    }

    /** Waits for an open connection whose latest REGISTER has this rank. */
    public PcmConnection awaitConnectionFor(long rank, Duration timeout) throws InterruptedException {
        return await(() -> connectionFor(rank), timeout, () -> "a live connection of rank " + rank);
    }

    /** Waits until the server reports the connection closed; returns the cause, or null if clean. */
    public Throwable awaitDisconnect(PcmConnection connection, Duration timeout) throws InterruptedException {
        return await(() -> disconnected.containsKey(connection)
                        ? Optional.of(Optional.ofNullable(disconnected.get(connection))) : Optional.empty(),
                timeout, () -> "the disconnection of " + connection).orElse(null);
    }

    private synchronized Optional<PcmConnection> connectionFor(Predicate<Register> match) {
        for (int i = received.size() - 1; i >= 0; i--) {
            Received r = received.get(i);
            if (r.message() instanceof Register reg && match.test(reg) && r.connection().isOpen()
                    && !disconnected.containsKey(r.connection())
                    && r.connection().registration().filter(match).isPresent()) {
                return Optional.of(r.connection());
            }
        }
        return Optional.empty();
    }

    private synchronized <T> T await(Supplier<Optional<T>> probe, Duration timeout, Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> result = probe.get();
            if (result.isPresent()) {
                return result.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what.get()
                        + "; received so far: " + received + "; disconnected: " + disconnected);
            }
            wait(Math.max(1, left / 1_000_000), 0);
        }
    }
}
