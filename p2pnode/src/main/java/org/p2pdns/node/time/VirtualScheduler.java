package org.p2pdns.node.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/**
 * A deterministic scheduler in virtual time: nothing runs until the test (or simulator) calls {@link #runFor},
 * {@link #runUntil} or {@link #runUntilIdle}; then tasks run in order of due time, ties in order of submission.
 *
 * <p>Not thread-safe: the whole simulated world is driven from the one thread that calls the run methods. Many nodes
 * may share one VirtualScheduler; that is how the simulator keeps a single, reproducible order of events.
 */
public final class VirtualScheduler implements Scheduler {

    private static final class Task implements Cancellable, Comparable<Task> {
        final long due;
        final long seq;
        final Runnable body;
        boolean cancelled;

        Task(long due, long seq, Runnable body) {
            this.due = due;
            this.seq = seq;
            this.body = body;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now;
    private long seq;
    private long executed;
    private Thread owner;

    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("virtual clock is UTC only");
        }

        @Override
        public long millis() {
            return now;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }
    };

    /** Starts virtual time at {@code startMillis} (epoch millis). */
    public VirtualScheduler(long startMillis) {
        this.now = startMillis;
    }

    /** Starts virtual time at 2026-01-01T00:00:00Z. */
    public VirtualScheduler() {
        this(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        long d = Math.max(0, delay.toMillis());
        Task t = new Task(now + d, seq++, task);
        queue.add(t);
        return t;
    }

    @Override
    public void execute(Runnable task) {
        queue.add(new Task(now, seq++, task));
    }

    @Override
    public boolean inEventThread() {
        return owner == null || owner == Thread.currentThread();
    }

    /** Runs every task due up to {@code now + duration}, then leaves the clock there. */
    public void runFor(Duration duration) {
        runUntil(now + duration.toMillis());
    }

    /** Runs every task due up to {@code deadlineMillis}, then leaves the clock there. */
    public void runUntil(long deadlineMillis) {
        owner = Thread.currentThread();
        try {
            while (true) {
                Task t = queue.peek();
                if (t == null || t.due > deadlineMillis) {
                    break;
                }
                queue.poll();
                if (t.cancelled) {
                    continue;
                }
                now = Math.max(now, t.due);
                executed++;
                t.body.run();
            }
            now = Math.max(now, deadlineMillis);
        } finally {
            owner = null;
        }
    }

    /**
     * Runs tasks until none is left or {@code maxVirtual} of virtual time has passed (a guard against periodic tasks
     * that never let the queue empty). Returns true if the queue drained.
     */
    public boolean runUntilIdle(Duration maxVirtual) {
        long deadline = now + maxVirtual.toMillis();
        owner = Thread.currentThread();
        try {
            while (true) {
                Task t = queue.peek();
                if (t == null) {
                    return true;
                }
                if (t.due > deadline) {
                    now = deadline;
                    return false;
                }
                queue.poll();
                if (t.cancelled) {
                    continue;
                }
                now = Math.max(now, t.due);
                executed++;
                t.body.run();
            }
        } finally {
            owner = null;
        }
    }

    /** Runs until {@code condition} holds or {@code maxVirtual} passes; returns whether it holds. */
    public boolean runUntil(java.util.function.BooleanSupplier condition, Duration maxVirtual) {
        long deadline = now + maxVirtual.toMillis();
        owner = Thread.currentThread();
        try {
            while (!condition.getAsBoolean()) {
                Task t = queue.peek();
                if (t == null || t.due > deadline) {
                    now = Math.max(now, Math.min(deadline, t == null ? deadline : t.due));
                    return condition.getAsBoolean();
                }
                queue.poll();
                if (t.cancelled) {
                    continue;
                }
                now = Math.max(now, t.due);
                executed++;
                t.body.run();
            }
            return true;
        } finally {
            owner = null;
        }
    }

    /** Number of tasks run so far (a cheap fingerprint of a simulation's trace). */
    public long executedTasks() {
        return executed;
    }

    /** Tasks waiting, cancelled ones included. */
    public int pendingTasks() {
        return queue.size();
    }
}
