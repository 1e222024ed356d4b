package org.p2pdns.node.time;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The single event thread that owns a node's mutable state, with its clock.
 *
 * <p>Every component takes a Scheduler instead of reading the system clock or starting threads, so the same code runs
 * in real time ({@link EventLoopScheduler}) and in virtual time ({@link VirtualScheduler}). Tasks passed to
 * {@link #execute} and {@link #schedule} run one at a time, in order of due time, on that thread.
 */
public interface Scheduler extends Executor {

    /** The clock of this scheduler: real wall time, or virtual time in simulations. */
    Clock clock();

    /** Milliseconds since the epoch on {@link #clock()}. */
    default long nowMillis() {
        return clock().millis();
    }

    /** Runs {@code task} on the event thread after {@code delay}; the returned handle cancels it. */
    Cancellable schedule(Duration delay, Runnable task);

    /** Runs {@code task} on the event thread as soon as possible. */
    @Override
    void execute(Runnable task);

    /** Runs {@code task} every {@code period}, first after {@code initialDelay}, until cancelled. */
    default Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
        final class Repeating implements Runnable, Cancellable {
            private volatile boolean cancelled;
            private volatile Cancellable next;

            @Override
            public void run() {
                if (cancelled) {
                    return;
                }
                next = schedule(period, this);
                task.run();
            }

            @Override
            public void cancel() {
                cancelled = true;
                Cancellable n = next;
                if (n != null) {
                    n.cancel();
                }
            }
        }
        Repeating r = new Repeating();
        r.next = schedule(initialDelay, r);
        return r;
    }

    /** True when the calling thread is this scheduler's event thread. */
    boolean inEventThread();

    /** Runs {@code task} at once when called on the event thread, else hands it to the event thread. */
    default void runOnEventThread(Runnable task) {
        if (inEventThread()) {
            task.run();
        } else {
            execute(task);
        }
    }
}
