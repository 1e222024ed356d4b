package org.p2pdns.dns.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.bench.ColdResolveBench.Answer;
import org.p2pdns.dns.bench.ColdResolveBench.Result;
import org.xbill.DNS.Rcode;

/** Runs the cold-resolution benchmark's whole path at a tiny scale, so that scripts/bench-dns-cold.sh cannot rot. */
class ColdResolveBenchTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twelveNodesAnswerThePublishedAddressesAndNxdomainThroughTheBridgeWithNoCacheAnswering() throws Exception {
        Result r = ColdResolveBench.run(12, 3, 6, 2, 7);

        assertEquals(0, r.unsent());
        assertEquals(8, r.answers().size());
        Set<String> asked = new TreeSet<>();
        for (Answer a : r.answers()) {
            if (a.published()) {
                // RecordsBench publishes bench-i.p2p with one A record 192.0.2.i
                String index = a.name().substring("bench-".length(), a.name().indexOf('.'));
                assertEquals(Rcode.NOERROR, a.rcode(), a.toString());
                assertEquals(List.of("192.0.2." + index), a.addresses(), a.toString());
                asked.add(a.name());
            } else {
                assertEquals(Rcode.NXDOMAIN, a.rcode(), a.toString());
                assertEquals(List.of(), a.addresses(), a.toString());
            }
            assertTrue(a.correct(), a.toString());
        }
        assertEquals(Set.of("bench-0.p2p", "bench-1.p2p", "bench-2.p2p"), asked);
        assertEquals(2, r.answers().stream().filter(a -> !a.published()).count());

        // every query missed the bridge's cache and was a resolution of the node's resolver
        assertEquals(8, r.counters().get(Counter.CACHE_MISSES));
        assertEquals(8, r.counters().get(Counter.RESOLVER_CALLS));
        assertEquals(6, r.counters().get(Counter.NOERROR));
        assertEquals(2, r.counters().get(Counter.NXDOMAIN));
        assertTrue(r.allCold(), r.counters().toString());
        assertEquals(0, r.wrong());
    }
}
