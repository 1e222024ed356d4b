package org.p2pdns.node.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopSchedulerTest {

    @Test
    void knowsItsOwnThread() throws Exception {
        try (EventLoopScheduler s = new EventLoopScheduler("test-loop")) {
            CompletableFuture<Boolean> inside = new CompletableFuture<>();
            s.execute(() -> inside.complete(s.inEventThread()));
            assertTrue(inside.get(10, TimeUnit.SECONDS));
            assertFalse(s.inEventThread());
        }
    }

    @Test
    void runOnEventThreadRunsInlineThereAndPostsFromElsewhere() throws Exception {
        try (EventLoopScheduler s = new EventLoopScheduler("test-loop")) {
            // on the event thread: done before runOnEventThread returns, ahead of a task posted earlier
            CompletableFuture<String> order = new CompletableFuture<>();
            s.execute(() -> {
                StringBuilder sb = new StringBuilder();
                s.execute(() -> order.complete(sb.append("posted").toString()));
                s.runOnEventThread(() -> sb.append("inline,"));
            });
            assertEquals("inline,posted", order.get(10, TimeUnit.SECONDS));
            // from another thread: it runs on the event thread
            CompletableFuture<Boolean> there = new CompletableFuture<>();
            s.runOnEventThread(() -> there.complete(s.inEventThread()));
            assertTrue(there.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aWrappedExecutorKnowsItsThreadToo() throws Exception {
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();
        try (EventLoopScheduler s = new EventLoopScheduler(exec, Clock.systemUTC())) {
            CompletableFuture<Boolean> inside = new CompletableFuture<>();
            s.schedule(Duration.ofMillis(1), () -> inside.complete(s.inEventThread()));
            assertTrue(inside.get(10, TimeUnit.SECONDS));
            assertFalse(s.inEventThread());
        }
    }

    @Test
    void aFailingTaskDoesNotKillTheThread() throws Exception {
        try (EventLoopScheduler s = new EventLoopScheduler("test-loop")) {
            s.execute(() -> {
                throw new IllegalStateException("boom (expected in this test)");
            });
            CompletableFuture<String> after = new CompletableFuture<>();
            s.execute(() -> after.complete("still running"));
            assertEquals("still running", after.get(10, TimeUnit.SECONDS));
        }
    }
}
