package io.roam.simulator;

import java.util.ArrayDeque;
import java.util.PriorityQueue;

/**
 * The simulation's clock and agenda: actions at simulated times (ms), run in time order,
 * ties in the order they were scheduled (a sequence number), so a run is deterministic.
 *
 * <p>Times are whole milliseconds, so the near future is a ring of {@link #HORIZON} buckets,
 * one per millisecond, each a FIFO queue (scheduling order is sequence order): scheduling and
 * running an event cost O(1) however many are pending (a binary heap of a million pending
 * events cost about 20 comparisons, most of them cache misses, per event at 100,000 nodes).
 * Events {@link #HORIZON} ms or more ahead wait in a heap and move into their bucket as soon
 * as the clock comes within the horizon of them, before anything else can be scheduled into
 * that bucket (anything scheduled later has a larger sequence number), so the order is
 * exactly (time, sequence), as with one heap.
 */
public final class EventQueue {
    /** Milliseconds covered by the ring (a power of two). */
    static final int HORIZON = 1 << 13;
    private static final int MASK = HORIZON - 1;

    private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    @SuppressWarnings("unchecked")
    private final ArrayDeque<Runnable>[] ring = new ArrayDeque[HORIZON];
    /** Events in the ring. */
    private long inRing;
    private final PriorityQueue<Event> far = new PriorityQueue<>();
    private long seq;
    private long now;
    private long processed;

    /** The current simulated time, ms. */
    public long now() {
        return now;
    }

    /** Runs {@code action} at {@code time} (never before now). */
    public void at(long time, Runnable action) {
        long t = Math.max(time, now);
        if (t - now < HORIZON) {
            bucket(t).addLast(action);
            inRing++;
            seq++;
        } else {
            far.add(new Event(t, seq++, action));
        }
    }

    /** Runs {@code action} {@code delay} ms from now. */
    public void after(long delay, Runnable action) {
        at(now + delay, action);
    }

    /** Runs events up to and including {@code end}; returns how many ran. */
    public long runUntil(long end) {
        long n = 0;
        while (true) {
            long t = next();
            if (t < 0 || t > end) {
                break;
            }
            advance(t);
            ArrayDeque<Runnable> b = ring[(int) (t & MASK)];
            // events scheduled for now while these run join the end of this bucket and run too
            Runnable r;
            while ((r = b.pollFirst()) != null) {
                inRing--;
                r.run();
                n++;
            }
        }
        advance(Math.max(now, end));
        processed += n;
        return n;
    }

    /** Events run so far. */
    public long processed() {
        return processed;
    }

    /** The time of the next event, -1 if none: the ring holds everything earlier than the heap. */
    private long next() {
        if (inRing > 0) {
            for (long t = now; ; t++) {
                ArrayDeque<Runnable> b = ring[(int) (t & MASK)];
                if (b != null && !b.isEmpty()) {
                    return t;
                }
            }
        }
        return far.isEmpty() ? -1 : far.peek().time;
    }

    /** Moves the clock to {@code t} and the far events now within the horizon into their buckets. */
    private void advance(long t) {
        now = t;
        while (!far.isEmpty() && far.peek().time - now < HORIZON) {
            Event e = far.poll();
            bucket(e.time).addLast(e.action);
            inRing++;
        }
    }

    private ArrayDeque<Runnable> bucket(long t) {
        int i = (int) (t & MASK);
        ArrayDeque<Runnable> b = ring[i];
        if (b == null) {
            b = new ArrayDeque<>();
            ring[i] = b;
        }
        return b;
    }
}
