package org.p2pdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.testing.FakeResolver;
import org.p2pdns.dns.testing.MutableClock;
import org.p2pdns.dns.testing.TestZone;
import org.p2pdns.dns.testing.UdpClient;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.api.ResolveStatus;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** The cache through a running bridge, with a hand-moved clock: TTLs, negative caching, coalescing, serve-stale. */
class CacheTest {

    final MutableClock clock = new MutableClock();
    final FakeResolver resolver = TestZone.populate(new FakeResolver(clock));
    DnsBridge bridge;

    void start(BridgeConfig cfg) throws IOException {
        bridge = DnsBridge.start(cfg.withBindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withForwarding(false, List.of()), resolver, clock);
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    static long ttl(Message m) {
        return m.getSection(Section.ANSWER).get(0).getTTL();
    }

    static Message edns(String name, String type, int id) {
        Message q = UdpClient.query(name, type, id);
        q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        return q;
    }

    @Test
    void ttlsCountDownInTheCacheAndExpiredAnswersAreResolvedAgain() throws Exception {
        start(BridgeConfig.defaults());
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            assertEquals(300, ttl(c.ask(UdpClient.query("example.p2p.", "A", 1))));
            assertEquals(1, resolver.calls());
            clock.advance(Duration.ofSeconds(100));
            assertEquals(200, ttl(c.ask(UdpClient.query("example.p2p.", "A", 2))));
            assertEquals(200, ttl(c.ask(edns("example.p2p.", "A", 3))), "same countdown with EDNS0");
            assertEquals(1, resolver.calls(), "answered from the cache");
            clock.advance(Duration.ofSeconds(200));
            assertEquals(300, ttl(c.ask(UdpClient.query("example.p2p.", "A", 4))));
            assertEquals(2, resolver.calls(), "expired: resolved again");
        }
    }

    @Test
    void ttlNeverReachesPastTheSignedRecordsExpiry() throws Exception {
        start(BridgeConfig.defaults());
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            assertEquals(100, ttl(c.ask(UdpClient.query("expiring.p2p.", "A", 1))));
            clock.advance(Duration.ofSeconds(60));
            assertEquals(40, ttl(c.ask(UdpClient.query("expiring.p2p.", "A", 2))));
        }
    }

    @Test
    void negativeAnswersAreCachedForTheSoaMinimum() throws Exception {
        start(BridgeConfig.defaults().withCache(1000, Duration.ofDays(1), Duration.ofDays(1), Duration.ofSeconds(30)));
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            Message r = c.ask(UdpClient.query("missing.p2p.", "A", 1));
            assertEquals(Rcode.NXDOMAIN, r.getRcode());
            assertEquals(30, r.getSection(Section.AUTHORITY).get(0).getTTL());
            Message nodata = c.ask(UdpClient.query("mail.example.p2p.", "TXT", 2));
            assertEquals(Rcode.NOERROR, nodata.getRcode());
            assertTrue(nodata.getSection(Section.ANSWER).isEmpty());
            assertEquals(2, resolver.calls());
            clock.advance(Duration.ofSeconds(29));
            assertEquals(Rcode.NXDOMAIN, c.ask(UdpClient.query("missing.p2p.", "A", 3)).getRcode());
            c.ask(UdpClient.query("mail.example.p2p.", "TXT", 4));
            assertEquals(2, resolver.calls());
            clock.advance(Duration.ofSeconds(1));
            c.ask(UdpClient.query("missing.p2p.", "A", 5));
            assertEquals(3, resolver.calls());
        }
    }

    @Test
    void identicalConcurrentQueriesShareOneResolution() throws Exception {
        start(BridgeConfig.defaults());
        resolver.hold("example.p2p");
        int n = 50;
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            for (int i = 0; i < n; i++) {
                c.send(UdpClient.query(i % 2 == 0 ? "example.p2p." : "EXAMPLE.p2p.", "A", 1000 + i).toWire());
            }
            // one event loop reads datagrams in order: once this later query is answered, all n have been seen
            Message barrier = c.ask(UdpClient.query("other.p2p.", "A", 1));
            assertEquals(1, barrier.getHeader().getID());
            assertEquals(1, resolver.callNames().stream().filter(x -> x.equals("example.p2p")).count());
            assertEquals(1, resolver.heldCount());
            resolver.release();
            Set<Integer> ids = new HashSet<>();
            for (int i = 0; i < n; i++) {
                Message m = c.receiveMessage();
                assertEquals("192.0.2.10", m.getSection(Section.ANSWER).get(0).rdataToString());
                ids.add(m.getHeader().getID());
            }
            assertEquals(n, ids.size(), "every client got its own id back");
        }
        assertEquals(n - 1, bridge.stats().get(Counter.COALESCED));
    }

    @Test
    void differentTypesOfOneNameShareTheResolutionToo() throws Exception {
        start(BridgeConfig.defaults());
        resolver.hold("example.p2p");
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            c.send(UdpClient.query("example.p2p.", "A", 1).toWire());
            c.send(UdpClient.query("example.p2p.", "AAAA", 2).toWire());
            c.send(UdpClient.query("www.example.p2p.", "TXT", 3).toWire());
            c.ask(UdpClient.query("other.p2p.", "A", 4));
            assertEquals(1, resolver.heldCount());
            resolver.release();
            for (int i = 0; i < 3; i++) {
                assertEquals(Rcode.NOERROR, c.receiveMessage().getRcode());
            }
        }
    }

    @Test
    void expiredAnswerIsServedStaleWhileTheDhtIsUnreachable() throws Exception {
        start(BridgeConfig.defaults());
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            c.ask(UdpClient.query("example.p2p.", "A", 1));
            clock.advance(Duration.ofSeconds(301));
            resolver.fail("example.p2p", ResolveStatus.TIMEOUT);
            Message stale = c.ask(edns("example.p2p.", "A", 2));
            assertEquals(Rcode.NOERROR, stale.getRcode());
            assertEquals(30, ttl(stale));
            assertEquals("192.0.2.10", stale.getSection(Section.ANSWER).get(0).rdataToString());
            ExtendedErrorCodeOption ede = (ExtendedErrorCodeOption) stale.getOPT().getOptions().get(0);
            assertEquals(ExtendedErrorCodeOption.STALE_ANSWER, ede.getErrorCode());
            resolver.fail("example.p2p", ResolveStatus.NO_PEERS);
            assertEquals(30, ttl(c.ask(UdpClient.query("example.p2p.", "A", 3))));
            assertEquals(2, bridge.stats().get(Counter.STALE_SERVED));
            // not a transient failure: the record is no longer valid, so no stale answer
            resolver.fail("example.p2p", ResolveStatus.INVALID);
            assertEquals(Rcode.SERVFAIL, c.ask(UdpClient.query("example.p2p.", "A", 4)).getRcode());
            resolver.fail("example.p2p", ResolveStatus.TIMEOUT);
            clock.advance(Duration.ofDays(1));
            Message late = c.ask(edns("example.p2p.", "A", 5));
            assertEquals(Rcode.SERVFAIL, late.getRcode(), "past the serve-stale window");
            assertEquals(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY,
                    ((ExtendedErrorCodeOption) late.getOPT().getOptions().get(0)).getErrorCode());
            resolver.heal("example.p2p");
            Message expired = c.ask(UdpClient.query("example.p2p.", "A", 6));
            assertEquals(0, ttl(expired), "the signed record itself has expired by now: TTL capped at 0");
            resolver.publish("example.p2p", 300, 86400, TestZone.rr("example.p2p. A 192.0.2.11"));
            assertEquals("192.0.2.11", c.ask(UdpClient.query("example.p2p.", "A", 7)).getSection(Section.ANSWER)
                    .get(0).rdataToString(), "a TTL-0 answer is not cached");
        }
    }

    @Test
    void staleResolutionFromTheNodeIsPassedOnWithAShortTtl() throws Exception {
        start(BridgeConfig.defaults());
        Record a = TestZone.rr("stale.p2p. A 192.0.2.99", 3600);
        resolver.put("stale.p2p", new Resolution(ResolveStatus.FOUND, "stale.p2p.", List.of(a), 3600,
                clock.millis() + 86_400_000L, 3, true, "served from the node's cache"));
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            Message m = c.ask(edns("stale.p2p.", "A", 1));
            assertEquals(30, ttl(m));
            assertEquals(ExtendedErrorCodeOption.STALE_ANSWER,
                    ((ExtendedErrorCodeOption) m.getOPT().getOptions().get(0)).getErrorCode());
        }
    }

    @Test
    void cacheSizeIsBounded() throws Exception {
        start(BridgeConfig.defaults().withCache(3, Duration.ofDays(1), Duration.ofDays(1), Duration.ofSeconds(60)));
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            for (String n : List.of("a.p2p.", "b.p2p.", "c.p2p.", "d.p2p.", "e.p2p.")) {
                c.ask(UdpClient.query(n, "A", 1));
            }
            assertEquals(3, bridge.cachedResponses());
            assertEquals(2, bridge.stats().get(Counter.CACHE_EVICTIONS));
            c.ask(UdpClient.query("e.p2p.", "A", 2));
            assertEquals(5, resolver.calls(), "the most recent entry is still cached");
            c.ask(UdpClient.query("a.p2p.", "A", 3));
            assertEquals(6, resolver.calls(), "the oldest one was evicted");
        }
    }
}
