package org.p2pdns.node.util;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TestPortsTest {

    @Test
    void aFreePortBelowTheEphemeralRangeAndNotOneAlreadyTaken() {
        int low = TestPorts.ephemeralLow();
        assertTrue(low > 1024 && low < 65_536, "ephemeral range starts at " + low);
        int first = TestPorts.freeLoopbackPort(new Random(1), p -> false);
        assertTrue(TestPorts.bindable(first));
        if (low > 11_024) {
            assertTrue(first >= low - 10_000 && first < low, first + " below " + low);
        }
        int second = TestPorts.freeLoopbackPort(new Random(1), p -> p == first);
        assertNotEquals(first, second);
    }
}
