package org.p2pdns.node.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LruMapTest {

    @Test
    void dropsTheLeastRecentlyUsedPastItsSize() {
        Map<String, Integer> m = LruMap.withMax(3);
        m.put("a", 1);
        m.put("b", 2);
        m.put("c", 3);
        m.get("a"); // a read keeps "a"
        m.put("d", 4);
        assertEquals(List.of("c", "a", "d"), List.copyOf(m.keySet()), "b, least recently used, went");
        assertEquals(3, m.size());
        assertThrows(IllegalArgumentException.class, () -> LruMap.withMax(0));
    }
}
