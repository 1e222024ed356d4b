package org.p2pdns.dns.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.chain.DnsRequest;
import org.p2pdns.dns.chain.Outcome;
import org.p2pdns.dns.chain.Responses;
import org.p2pdns.dns.testing.TestZone;
import org.p2pdns.dns.testing.UdpClient;
import org.p2pdns.node.time.VirtualScheduler;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/** RFC 8767's client-response timer, in virtual time: a slow refresh of an expired entry yields the stale answer. */
class ClientResponseTimerTest {

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final BridgeStats stats = new BridgeStats();
    private final Responses responses = new Responses(scheduler.clock(), 1232);
    /** What the next resolution through the cache returns. */
    private final AtomicReference<CompletableFuture<Outcome>> next = new AtomicReference<>();
    private final CacheHandler h = new CacheHandler(new ResponseCache(100, stats), r -> next.get(), responses, stats,
            Duration.ofDays(1), Duration.ofDays(1), scheduler);
    private final Message q = UdpClient.query("example.p2p.", "A", 1);
    private final DnsRequest req = new DnsRequest(q.toWire(), q, new InetSocketAddress("127.0.0.1", 1), false, true,
            1232);

    /** Caches 192.0.2.1 for the question (TTL 10 s), then lets 11 s pass. */
    private void cacheAnExpiredAnswer() throws Exception {
        next.set(CompletableFuture.completedFuture(answer(responses, q, "192.0.2.1")));
        h.handle(req).get();
        scheduler.runFor(Duration.ofSeconds(11));
    }

    @Test
    void slowRefreshGetsTheStaleAnswerAfterTheTimerAndStillUpdatesTheCache() throws Exception {
        cacheAnExpiredAnswer();

        CompletableFuture<Outcome> slow = new CompletableFuture<>();
        next.set(slow);
        CompletableFuture<Outcome> first = h.handle(req);
        scheduler.runFor(Duration.ofMillis(1799));
        assertFalse(first.isDone());
        scheduler.runFor(Duration.ofMillis(1));
        Outcome stale = first.get();
        Message m = new Message(stale.template().render(q.toWire(), false, scheduler.nowMillis(), -1));
        assertEquals("192.0.2.1", m.getSection(Section.ANSWER).get(0).rdataToString());
        assertEquals(30, m.getSection(Section.ANSWER).get(0).getTTL());
        assertEquals(ExtendedErrorCodeOption.STALE_ANSWER, stale.template().edeCode());
        assertEquals(1, stats.get(Counter.STALE_SERVED));

        Outcome fresh = answer(responses, q, "192.0.2.2");
        slow.complete(fresh);
        CompletableFuture<Outcome> after = h.handle(req);
        assertTrue(after.isDone());
        assertSame(fresh.template(), after.get().template(), "the late refresh was cached");
    }

    /**
     * The refresh fails after the timer gave the client its stale answer: the stale answer settle() falls back on
     * reaches nobody and is not counted again (counted twice, a client that got one answer read 2 or, counted after
     * the answer left, 0).
     */
    @Test
    void aRefreshFailingAfterTheTimerAnsweredCountsTheStaleAnswerOnce() throws Exception {
        cacheAnExpiredAnswer();

        CompletableFuture<Outcome> slow = new CompletableFuture<>();
        next.set(slow);
        CompletableFuture<Outcome> client = h.handle(req);
        scheduler.runFor(CacheHandler.CLIENT_RESPONSE_TIMER);
        assertEquals(ExtendedErrorCodeOption.STALE_ANSWER, client.get().template().edeCode());
        assertEquals(1, stats.get(Counter.STALE_SERVED), "counted by the time the client has it");
        slow.complete(responses.error(req, Rcode.SERVFAIL, ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY,
                "upstream resolvers failed", true));
        assertEquals(1, stats.get(Counter.STALE_SERVED));

        // a refresh that fails before the timer: the one client gets the stale answer, counted once
        CompletableFuture<Outcome> failing = new CompletableFuture<>();
        next.set(failing);
        CompletableFuture<Outcome> second = h.handle(req);
        failing.complete(responses.error(req, Rcode.SERVFAIL, ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY,
                "upstream resolvers failed", true));
        assertEquals(ExtendedErrorCodeOption.STALE_ANSWER, second.get().template().edeCode());
        assertEquals(2, stats.get(Counter.STALE_SERVED));
        scheduler.runFor(Duration.ofSeconds(5));
        assertEquals(2, stats.get(Counter.STALE_SERVED), "the cancelled timer adds nothing");
    }

    @Test
    void withoutAStaleEntryTheClientWaitsForTheRefresh() {
        VirtualScheduler scheduler = new VirtualScheduler();
        BridgeStats stats = new BridgeStats();
        Responses responses = new Responses(scheduler.clock(), 1232);
        CompletableFuture<Outcome> slow = new CompletableFuture<>();
        CacheHandler h = new CacheHandler(new ResponseCache(100, stats), r -> slow, responses, stats,
                Duration.ofDays(1), Duration.ofDays(1), scheduler);
        Message q = UdpClient.query("example.p2p.", "A", 1);
        CompletableFuture<Outcome> f = h.handle(new DnsRequest(q.toWire(), q, new InetSocketAddress("127.0.0.1", 1),
                false, false, 512));
        scheduler.runFor(Duration.ofSeconds(10));
        assertFalse(f.isDone());
        assertEquals(0, stats.get(Counter.STALE_SERVED));
    }

    static Outcome answer(Responses responses, Message q, String ip) {
        Message m = responses.start(q, Rcode.NOERROR, true);
        m.addRecord(TestZone.rr("example.p2p. A " + ip, 10), Section.ANSWER);
        return new Outcome(responses.template(m, -1, null), 10, false);
    }
}
