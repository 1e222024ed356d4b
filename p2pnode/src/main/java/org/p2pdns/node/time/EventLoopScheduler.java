package org.p2pdns.node.time;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real-time scheduler: one daemon thread that owns a node's state. Task exceptions are logged and never kill the
 * thread.
 */
public final class EventLoopScheduler implements Scheduler, AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EventLoopScheduler.class);

    private final Clock clock;
    private final ScheduledExecutorService executor;
    private volatile Thread thread;

    public EventLoopScheduler(String name) {
        this(name, Clock.systemUTC());
    }

    public EventLoopScheduler(String name, Clock clock) {
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** Wraps an existing single-threaded executor (for example a Netty event loop). */
    public EventLoopScheduler(ScheduledExecutorService singleThreaded, Clock clock) {
        this.clock = clock;
        this.executor = singleThreaded;
        // learn which thread that is: the first task records it (until it has run, nothing runs on it either)
        singleThreaded.execute(() -> thread = Thread.currentThread());
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        if (executor.isShutdown()) {
            return () -> { };
        }
        try {
            ScheduledFuture<?> f = executor.schedule(guard(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return () -> { };
        }
    }

    @Override
    public void execute(Runnable task) {
        try {
            executor.execute(guard(task));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("task dropped: scheduler is shut down");
        }
    }

    @Override
    public boolean inEventThread() {
        return Thread.currentThread() == thread;
    }

    private static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.error("event task failed", e);
            }
        };
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
