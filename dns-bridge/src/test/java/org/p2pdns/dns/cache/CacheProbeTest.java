package org.p2pdns.dns.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** The allocation-free probe finds exactly the keys the chain stores: same lower-casing, same hash. */
class CacheProbeTest {

    static byte[] wire(String name) throws Exception {
        return Name.fromString(name).toWire();
    }

    @Test
    void probeMatchesTheKeyOfTheCanonicalNameWhateverTheCase() throws Exception {
        for (String name : new String[] {"example.p2p.", "ExAmPlE.P2P.", "WWW.EXAMPLE.COM.", "\\195\\137Z.p2p.", "."}) {
            CacheKey key = CacheKey.of(Name.fromString(name), Type.A);
            byte[] w = wire(name);
            byte[] padded = new byte[w.length + 5];
            System.arraycopy(w, 0, padded, 5, w.length);
            CacheProbe probe = new CacheProbe().load(padded, 5, w.length, Type.A);
            assertEquals(key.hashCode(), probe.hashCode(), name);
            assertEquals(probe, key, name);
            assertEquals(key, probe, name);
            assertEquals(key, probe.toKey(), name);
            ConcurrentHashMap<CacheKey, String> map = new ConcurrentHashMap<>();
            map.put(key, "v");
            assertSame("v", map.get(probe), name);
        }
    }

    @Test
    void probeDiffersByTypeAndName() throws Exception {
        byte[] w = wire("example.p2p.");
        CacheProbe probe = new CacheProbe().load(w, 0, w.length, Type.A);
        assertNotEquals(CacheKey.of(Name.fromString("example.p2p."), Type.AAAA), probe);
        assertNotEquals(CacheKey.of(Name.fromString("example.p2.p."), Type.A), probe);
        assertNotEquals(CacheKey.of(Name.fromString("exbmple.p2p."), Type.A), probe);
        byte[] nonAscii = wire("\\201xample.p2p."); // only ASCII letters fold: 0xC9 is not 0xE9
        assertNotEquals(CacheKey.of(Name.fromString("\\233xample.p2p."), Type.A),
                new CacheProbe().load(nonAscii, 0, nonAscii.length, Type.A));
    }
}
