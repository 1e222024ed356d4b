package org.p2pdns.node.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {

    private static boolean accept(ReplayWindow w, long n) {
        if (!w.check(n)) {
            return false;
        }
        w.update(n);
        return true;
    }

    @Test
    void inOrderOutOfOrderDuplicatesAndTooOld() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(accept(w, 0));
        assertFalse(accept(w, 0));
        assertTrue(accept(w, 5));
        assertTrue(accept(w, 3));
        assertFalse(accept(w, 3));
        assertTrue(accept(w, 1));
        assertTrue(accept(w, 5000));
        assertFalse(accept(w, 5000 - 1984), "1,984 behind is too old");
        assertTrue(accept(w, 5000 - 1983));
        assertFalse(accept(w, 5000 - 1983));
        assertFalse(accept(w, 4));
        assertFalse(accept(w, -1));
        assertEquals(5000, w.highest());
        // a jump far ahead clears the whole window
        assertTrue(accept(w, 1_000_000));
        assertTrue(accept(w, 1_000_000 - 100));
        assertFalse(accept(w, 1_000_000 - 100));
    }

    @Test
    void agreesWithAnExactModelOnRandomTraffic() {
        Random r = new Random(3);
        ReplayWindow w = new ReplayWindow();
        BitSet seen = new BitSet();
        long highest = -1;
        for (int i = 0; i < 200_000; i++) {
            long n = Math.max(0, highest + r.nextInt(64) - 2100 + (r.nextInt(10) == 0 ? 2100 : 2050));
            boolean expected = !seen.get((int) n) && (n > highest || highest - n < ReplayWindow.SIZE - 64);
            assertEquals(expected, accept(w, n), "nonce " + n + " highest " + highest);
            if (expected) {
                seen.set((int) n);
                highest = Math.max(highest, n);
            }
        }
    }

    @Test
    void checkDoesNotMoveTheWindow() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.check(10_000));
        assertEquals(-1, w.highest());
        assertTrue(accept(w, 0));
    }
}
