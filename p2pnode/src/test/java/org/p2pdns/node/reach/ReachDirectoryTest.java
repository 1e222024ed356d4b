package org.p2pdns.node.reach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.nat.ReachabilityInfo;
import org.p2pdns.node.time.VirtualScheduler;

/** Looking peers' reachability up in the DHT: one lookup at a time, cached until expiry, absence remembered briefly. */
class ReachDirectoryTest {

    final VirtualScheduler clock = new VirtualScheduler((ReachRecordTest.T0 + 10) * 1000);
    final FakeDht dht = new FakeDht(clock);
    final ReachDirectory directory = new ReachDirectory(dht, clock);

    @Test
    void cachedUntilExpiry() throws Exception {
        ReachRecord r = ReachRecordTest.vector(); // expires at T0 + 300
        dht.values.put(r.dhtKey(), r.encoded());
        NodeId peer = r.nodeId();
        CompletableFuture<ReachabilityInfo> a = directory.lookup(peer);
        CompletableFuture<ReachabilityInfo> b = directory.lookup(peer);
        clock.runFor(Duration.ofSeconds(1));
        assertEquals(r.info(), a.get());
        assertEquals(r.info(), b.get());
        assertEquals(1, dht.gets, "one lookup for both");
        CompletableFuture<ReachabilityInfo> c = directory.lookup(peer);
        assertEquals(r.info(), c.get());
        assertEquals(1, dht.gets);
        assertEquals(1, directory.hits());
        clock.runFor(Duration.ofSeconds(300)); // past expiry: asked again (and found nothing valid)
        CompletableFuture<ReachabilityInfo> d = directory.lookup(peer);
        clock.runFor(Duration.ofSeconds(1));
        assertNull(d.get());
        assertEquals(2, dht.gets);
    }

    @Test
    void absenceIsRememberedBriefly() throws Exception {
        NodeId peer = NodeId.random(new java.util.Random(5));
        CompletableFuture<ReachabilityInfo> a = directory.lookup(peer);
        clock.runFor(Duration.ofSeconds(1));
        assertNull(a.get());
        directory.lookup(peer);
        assertEquals(1, dht.gets);
        clock.runFor(ReachDirectory.NEGATIVE_TTL);
        directory.lookup(peer);
        assertEquals(2, dht.gets);
    }
}
