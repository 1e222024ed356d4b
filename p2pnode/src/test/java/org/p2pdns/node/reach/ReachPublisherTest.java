package org.p2pdns.node.reach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.nat.NatMapping;
import org.p2pdns.node.nat.ReachabilityInfo;
import org.p2pdns.node.time.VirtualScheduler;

/** When the node's reachability record goes into the DHT: once ready, on change, before expiry, retried, stopped. */
class ReachPublisherTest {

    final VirtualScheduler clock = new VirtualScheduler(ReachRecordTest.T0 * 1000);
    final FakeDht dht = new FakeDht(clock);
    ReachabilityInfo info;
    final ReachPublisher publisher = new ReachPublisher(ReachRecordTest.SEED, () -> info, dht, clock,
            ReachPublisher.LIFETIME);

    static ReachabilityInfo at(String reflexive, int port) {
        return new ReachabilityInfo(NatMapping.ENDPOINT_DEPENDENT, new InetSocketAddress(reflexive, port),
                List.of(new InetSocketAddress("198.51.100.20", 7460)));
    }

    ReachRecord last() throws Exception {
        return ReachRecord.decode(dht.puts.get(dht.puts.size() - 1));
    }

    @Test
    void publishesWhenReadyOnChangeAndBeforeExpiry() throws Exception {
        publisher.start();
        clock.runFor(Duration.ofSeconds(30));
        assertTrue(dht.puts.isEmpty(), "nothing to publish before registration and classification");
        assertNull(publisher.published());

        info = at("203.0.113.1", 40000);
        publisher.poke();
        clock.runFor(Duration.ofSeconds(1));
        assertEquals(1, dht.puts.size());
        ReachRecord first = last();
        assertEquals(info, first.info());
        assertEquals(300, first.expiresAt() - first.issuedAt());
        assertEquals(first, publisher.published());

        clock.runFor(Duration.ofSeconds(100));
        assertEquals(1, dht.puts.size(), "unchanged: no republish before half the lifetime");
        info = at("203.0.113.1", 40001); // the NAT moved us
        clock.runFor(Duration.ofSeconds(ReachPublisher.CHECK.toSeconds()));
        assertEquals(2, dht.puts.size());
        ReachRecord moved = last();
        assertEquals(40001, moved.info().reflexive().getPort());
        assertTrue(moved.sequence() > first.sequence());

        clock.runFor(Duration.ofSeconds(155)); // half of the 5 min lifetime, on the next 5 s check
        assertEquals(3, dht.puts.size(), "republished before expiry");
        assertTrue(last().sequence() > moved.sequence());
        assertTrue(last().issuedAt() < moved.expiresAt());
        assertEquals(3, publisher.publishes());
    }

    @Test
    void retriesWhenNoOtherNodeTookIt() throws Exception {
        dht.reachable = false;
        info = at("203.0.113.1", 40000);
        publisher.start();
        clock.runFor(Duration.ofSeconds(1));
        assertEquals(1, dht.puts.size());
        assertEquals(1, publisher.failures());
        clock.runFor(Duration.ofSeconds(9));
        assertEquals(1, dht.puts.size());
        dht.reachable = true;
        clock.runFor(Duration.ofSeconds(6));
        assertEquals(2, dht.puts.size());
        assertEquals(1, publisher.publishes());
        publisher.close();
        info = at("203.0.113.1", 40009);
        clock.runFor(Duration.ofMinutes(10));
        assertEquals(2, dht.puts.size(), "closed: nothing more");
    }
}
