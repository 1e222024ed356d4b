package org.p2pdns.dns.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.testing.TestZone;
import org.p2pdns.dns.testing.UdpClient;
import org.p2pdns.dns.wire.PackedAnswer;
import org.p2pdns.dns.wire.ResponseTemplate;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The cache's fast lookup (a direct-mapped table in front of the map) against the map itself. */
class ResponseCacheTest {

    static final long NOW = 1_000_000;

    static ResponseTemplate answer(String name, String address) {
        Message m = new Message(1);
        m.getHeader().setFlag(Flags.QR);
        m.addRecord(UdpClient.query(name, "A", 1).getQuestion(), Section.QUESTION);
        m.addRecord(TestZone.rr(name + " A " + address, 300), Section.ANSWER);
        return ResponseTemplate.of(m, -1, null, 1232, NOW);
    }

    static void put(ResponseCache c, String name, String address) throws Exception {
        c.put(CacheKey.of(Name.fromString(name), Type.A),
                new ResponseCache.Entry(answer(name, address), NOW + 300_000, NOW + 600_000));
    }

    static byte[] lookup(ResponseCache c, String name, long now) throws Exception {
        byte[] w = Name.fromString(name).toWire();
        return c.freshPacked(new CacheProbe().load(w, 0, w.length, Type.A), now);
    }

    /** The address in a packed answer, rendered for a query of the same name (as the fast path checks). */
    static String address(String name, byte[] packed) throws Exception {
        byte[] dst = new byte[1232];
        byte[] q = UdpClient.query(name, "A", 1).toWire();
        int n = PackedAnswer.render(packed, q, false, NOW, dst);
        return new Message(java.util.Arrays.copyOf(dst, n)).getSection(Section.ANSWER).get(0).rdataToString();
    }

    @Test
    void namesSharingATableSlotAreBothAnsweredRightly() throws Exception {
        ResponseCache c = new ResponseCache(100, new BridgeStats()); // 256 slots
        List<String> same = new ArrayList<>();
        String first = "n0.p2p.";
        int slot = index(first, 255);
        for (int i = 1; same.size() < 2; i++) {
            if (index("n" + i + ".p2p.", 255) == slot) {
                same.add("n" + i + ".p2p.");
            }
        }
        put(c, first, "192.0.2.1");
        put(c, same.get(0), "192.0.2.2");
        put(c, same.get(1), "192.0.2.3");
        for (int round = 0; round < 3; round++) {
            assertEquals("192.0.2.1", address(first, lookup(c, first, NOW)));
            assertEquals("192.0.2.2", address(same.get(0), lookup(c, same.get(0), NOW)));
            assertEquals("192.0.2.3", address(same.get(1), lookup(c, same.get(1), NOW)));
        }
        assertNull(lookup(c, "n999999.p2p.", NOW));
        assertNull(lookup(c, first, NOW + 300_000), "expired");
    }

    static int index(String name, int mask) throws Exception {
        int h = CacheKey.of(Name.fromString(name), Type.A).hashCode();
        return (h ^ (h >>> 16)) & mask;
    }

    @Test
    void aReplacedAnswerIsNotServedFromTheTable() throws Exception {
        ResponseCache c = new ResponseCache(100, new BridgeStats());
        put(c, "a.p2p.", "192.0.2.1");
        assertEquals("192.0.2.1", address("a.p2p.", lookup(c, "a.p2p.", NOW)));
        put(c, "a.p2p.", "192.0.2.9");
        assertEquals("192.0.2.9", address("a.p2p.", lookup(c, "a.p2p.", NOW)));
        c.clear();
        assertNull(lookup(c, "a.p2p.", NOW));
    }

    @Test
    void answersUsedOnTheFastPathGetTheirSecondChance() throws Exception {
        ResponseCache c = new ResponseCache(2, new BridgeStats());
        put(c, "a.p2p.", "192.0.2.1");
        put(c, "b.p2p.", "192.0.2.2");
        assertNotNull(lookup(c, "a.p2p.", NOW));
        put(c, "c.p2p.", "192.0.2.3");
        assertNotNull(lookup(c, "a.p2p.", NOW), "used: kept");
        assertNull(lookup(c, "b.p2p.", NOW), "unused: evicted");
        assertArrayEquals(lookup(c, "c.p2p.", NOW), lookup(c, "c.p2p.", NOW));
        ResponseCache fifo = new ResponseCache(2, new BridgeStats());
        put(fifo, "a.p2p.", "192.0.2.1");
        put(fifo, "b.p2p.", "192.0.2.2");
        put(fifo, "c.p2p.", "192.0.2.3");
        assertNull(lookup(fifo, "a.p2p.", NOW), "nothing used: the oldest goes");
    }
}
