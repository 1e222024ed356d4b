package org.p2pdns.node.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnumCountersTest {

    enum Kind { SENT, RECEIVED, DROPPED }

    @Test
    void countsSnapshotsAndPrintsOnlyNonZero() throws Exception {
        EnumCounters<Kind> c = new EnumCounters<>(Kind.class);
        assertEquals("{}", c.toString());
        c.increment(Kind.SENT);
        c.add(Kind.DROPPED, 5);
        Thread t = new Thread(() -> {
            for (int i = 0; i < 10_000; i++) {
                c.increment(Kind.RECEIVED);
            }
        });
        t.start();
        for (int i = 0; i < 10_000; i++) {
            c.increment(Kind.RECEIVED);
        }
        t.join();
        assertEquals(Map.of(Kind.SENT, 1L, Kind.RECEIVED, 20_000L, Kind.DROPPED, 5L), c.snapshot());
        assertEquals("{SENT=1, RECEIVED=20000, DROPPED=5}", c.toString());
    }
}
