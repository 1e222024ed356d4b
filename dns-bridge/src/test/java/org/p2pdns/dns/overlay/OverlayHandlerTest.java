package org.p2pdns.dns.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.chain.DnsRequest;
import org.p2pdns.dns.chain.Outcome;
import org.p2pdns.dns.chain.Responses;
import org.p2pdns.dns.testing.UdpClient;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.api.ResolveStatus;
import org.p2pdns.node.time.VirtualScheduler;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;

/** The overlay handler alone, in virtual time: the bridge's own time limit on a resolver that never answers. */
class OverlayHandlerTest {

    @Test
    void aResolverThatNeverAnswersIsServfailAfterTheTimeLimitInVirtualTime() throws Exception {
        VirtualScheduler scheduler = new VirtualScheduler();
        BridgeStats stats = new BridgeStats();
        CompletableFuture<Resolution> never = new CompletableFuture<>();
        int[] calls = {0};
        OverlayHandler h = new OverlayHandler(Name.fromString("p2p."), name -> {
            calls[0]++;
            return never;
        }, new Responses(scheduler.clock(), 1232), stats, scheduler, Duration.ofSeconds(5), Duration.ofSeconds(60));
        Message q = UdpClient.query("example.p2p.", "A", 3);
        DnsRequest req = new DnsRequest(q.toWire(), q, new InetSocketAddress("127.0.0.1", 1), false, false, 512);
        CompletableFuture<Outcome> first = h.handle(req);
        CompletableFuture<Outcome> second = h.handle(req);
        assertEquals(1, calls[0], "the second question joins the first resolution");
        scheduler.runFor(Duration.ofMillis(4999));
        assertFalse(first.isDone());
        scheduler.runFor(Duration.ofMillis(1));
        assertTrue(first.isDone() && second.isDone());
        Outcome o = first.get();
        assertEquals(Rcode.SERVFAIL, o.template().rcode());
        assertEquals(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY, o.template().edeCode());
        assertTrue(o.transientFailure());
        assertEquals(0, o.cacheSeconds());
        h.handle(req);
        assertEquals(2, calls[0], "a finished resolution is not shared with later questions");
    }

    @Test
    void aQuestionAskedAsTheAnswerGoesOutIsANewResolution() throws Exception {
        VirtualScheduler scheduler = new VirtualScheduler();
        CompletableFuture<Resolution> pending = new CompletableFuture<>();
        int[] calls = {0};
        OverlayHandler h = new OverlayHandler(Name.fromString("p2p."), name -> {
            calls[0]++;
            return calls[0] == 1 ? pending : new CompletableFuture<>();
        }, new Responses(scheduler.clock(), 1232), new BridgeStats(), scheduler, Duration.ofSeconds(5),
                Duration.ofSeconds(60));
        Message q = UdpClient.query("example.p2p.", "A", 3);
        DnsRequest req = new DnsRequest(q.toWire(), q, new InetSocketAddress("127.0.0.1", 1), false, false, 512);
        int[] callsWhenAnswered = {-1};
        // a client that asks again the moment its answer is sent (the cold-resolution benchmark does)
        h.handle(req).thenRun(() -> {
            h.handle(req);
            callsWhenAnswered[0] = calls[0];
        });
        pending.complete(Resolution.of(ResolveStatus.NOT_FOUND, "example.p2p.", "not there"));
        assertEquals(2, callsWhenAnswered[0], "the finished resolution is not shared");
    }

    @Test
    void aResolverThatThrowsIsAnsweredNotCrashed() throws Exception {
        VirtualScheduler scheduler = new VirtualScheduler();
        OverlayHandler h = new OverlayHandler(Name.fromString("p2p."), name -> {
            throw new IllegalStateException("boom");
        }, new Responses(scheduler.clock(), 1232), new BridgeStats(), scheduler, Duration.ofSeconds(5),
                Duration.ofSeconds(60));
        Message q = UdpClient.query("example.p2p.", "A", 3);
        Outcome o = h.handle(new DnsRequest(q.toWire(), q, new InetSocketAddress("127.0.0.1", 1), false, false, 512))
                .get();
        assertEquals(Rcode.SERVFAIL, o.template().rcode());
        assertTrue(o.template().edeText().contains("boom"));
    }
}
