package org.p2pdns.node.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {

    @Test
    void runsTasksInDueOrderThenSubmissionOrder() {
        VirtualScheduler s = new VirtualScheduler(1_000);
        List<String> log = new ArrayList<>();
        s.schedule(Duration.ofMillis(30), () -> log.add("c@" + s.nowMillis()));
        s.schedule(Duration.ofMillis(10), () -> log.add("a@" + s.nowMillis()));
        s.schedule(Duration.ofMillis(10), () -> log.add("b@" + s.nowMillis()));
        s.execute(() -> log.add("now@" + s.nowMillis()));
        s.runFor(Duration.ofMillis(20));
        assertEquals(List.of("now@1000", "a@1010", "b@1010"), log);
        assertEquals(1_020, s.nowMillis());
        s.runFor(Duration.ofMillis(20));
        assertEquals("c@1030", log.get(3));
        assertEquals(1_040, s.clock().millis());
    }

    @Test
    void cancelledTasksDoNotRun() {
        VirtualScheduler s = new VirtualScheduler(0);
        List<String> log = new ArrayList<>();
        Cancellable c = s.schedule(Duration.ofMillis(5), () -> log.add("x"));
        c.cancel();
        assertTrue(s.runUntilIdle(Duration.ofSeconds(1)));
        assertTrue(log.isEmpty());
    }

    @Test
    void fixedRateRepeatsUntilCancelled() {
        VirtualScheduler s = new VirtualScheduler(0);
        List<Long> at = new ArrayList<>();
        Cancellable c = s.scheduleAtFixedRate(Duration.ofMillis(100), Duration.ofMillis(50), () -> at.add(s.nowMillis()));
        s.runFor(Duration.ofMillis(260));
        assertEquals(List.of(100L, 150L, 200L, 250L), at);
        c.cancel();
        assertTrue(s.runUntilIdle(Duration.ofSeconds(10)));
        assertEquals(4, at.size());
    }

    @Test
    void runUntilIdleStopsAtItsBoundWhenTasksNeverEnd() {
        VirtualScheduler s = new VirtualScheduler(0);
        s.scheduleAtFixedRate(Duration.ZERO, Duration.ofSeconds(1), () -> { });
        assertFalse(s.runUntilIdle(Duration.ofSeconds(5)));
        assertEquals(5_000, s.nowMillis());
    }

    @Test
    void runUntilConditionAdvancesOnlyAsFarAsNeeded() {
        VirtualScheduler s = new VirtualScheduler(0);
        boolean[] done = {false};
        s.schedule(Duration.ofMillis(70), () -> done[0] = true);
        assertTrue(s.runUntil(() -> done[0], Duration.ofSeconds(1)));
        assertEquals(70, s.nowMillis());
        assertFalse(s.runUntil(() -> false, Duration.ofMillis(100)));
        assertEquals(170, s.nowMillis());
    }
}
