package io.roam.simulator;

import java.util.PriorityQueue;

/**
 * The simulation's clock and agenda: actions at simulated times (ms), run in time order,
 * ties in the order they were scheduled (a sequence number), so a run is deterministic.
 */
public final class EventQueue {
    private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long seq;
    private long now;
    private long processed;

    /** The current simulated time, ms. */
    public long now() {
        return now;
    }

    /** Runs {@code action} at {@code time} (never before now). */
    public void at(long time, Runnable action) {
        queue.add(new Event(Math.max(time, now), seq++, action));
    }

    /** Runs {@code action} {@code delay} ms from now. */
    public void after(long delay, Runnable action) {
        at(now + delay, action);
    }

    /** Runs events up to and including {@code end}; returns how many ran. */
    public long runUntil(long end) {
        long n = 0;
        while (!queue.isEmpty() && queue.peek().time <= end) {
            Event e = queue.poll();
            now = e.time;
            e.action.run();
            n++;
        }
        now = Math.max(now, end);
        processed += n;
        return n;
    }

    /** Events run so far. */
    public long processed() {
        return processed;
    }
}
