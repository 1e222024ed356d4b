package org.p2pdns.dns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.cache.CacheHandler;
import org.p2pdns.dns.cache.ResponseCache;
import org.p2pdns.dns.chain.DnsHandler;
import org.p2pdns.dns.chain.Guard;
import org.p2pdns.dns.chain.RateLimiter;
import org.p2pdns.dns.chain.Responses;
import org.p2pdns.dns.chain.ZoneRouter;
import org.p2pdns.dns.overlay.OverlayHandler;
import org.p2pdns.dns.testing.FakeResolver;
import org.p2pdns.dns.testing.MutableClock;
import org.p2pdns.dns.testing.TestZone;
import org.p2pdns.node.time.VirtualScheduler;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;

/**
 * Fuzzes the DNS bridge from raw query bytes to a response: the guard, the handler chain (cache, zone router, overlay
 * handler over a resolver holding the test zone; no forwarder, so outside names are REFUSED without traffic) and the
 * rendering with the UDP size limit, plus the UDP fast path on the same bytes. Every input must give at most one
 * reply, synchronously (the resolver answers at once), never an exception; a reply parses, is a response, carries the
 * query's id and fits the transport's limit. Regression inputs: DnsBridgeFuzzTestInputs/query/.
 */
class DnsBridgeFuzzTest {

    private static final int PAYLOAD = 1232;
    private static final MutableClock CLOCK = new MutableClock();
    private static final ServerCore CORE = core();
    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

    private static ServerCore core() {
        try {
            BridgeStats stats = new BridgeStats();
            Responses responses = new Responses(CLOCK, PAYLOAD);
            Name zone = Name.fromString("p2p.");
            FakeResolver resolver = TestZone.populate(new FakeResolver(CLOCK));
            DnsHandler overlay = new OverlayHandler(zone, resolver, responses, stats, new VirtualScheduler(),
                    Duration.ofSeconds(5), Duration.ofSeconds(60));
            DnsHandler router = new ZoneRouter(zone, overlay, null, responses);
            ResponseCache cache = new ResponseCache(1000, stats);
            DnsHandler cached = new CacheHandler(cache, router, responses, stats, Duration.ofDays(1),
                    Duration.ofDays(1));
            RateLimiter limiter = new RateLimiter(CLOCK, 1000, 2000, false);
            return new ServerCore(new Guard(responses, limiter, stats), cached, cache, limiter, responses, stats);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void query(FuzzedDataProvider data) {
        boolean tcp = data.consumeBoolean();
        byte[] raw = data.consumeRemainingAsBytes();
        List<byte[]> replies = new ArrayList<>();
        CORE.process(raw, CLIENT, tcp, replies::add);
        assertTrue(replies.size() <= 1, "more than one reply to one query");
        if (!replies.isEmpty()) {
            checkReply(raw, replies.get(0), tcp ? 65535 : PAYLOAD);
        }
        if (!tcp) {
            ServerCore.Scratch scratch = CORE.newScratch();
            if (CORE.fastPath(Unpooled.wrappedBuffer(raw), CLIENT, scratch, CORE.millis()) == ServerCore.ANSWERED) {
                checkReply(raw, Arrays.copyOf(scratch.answer(), scratch.answerLength()), PAYLOAD);
            }
        }
    }

    private static void checkReply(byte[] raw, byte[] wire, int limit) {
        assertTrue(wire.length >= 12 && wire.length <= limit, "reply of " + wire.length + " bytes");
        assertEquals(raw[0], wire[0], "reply id differs from the query's");
        assertEquals(raw[1], wire[1], "reply id differs from the query's");
        assertTrue((wire[2] & 0x80) != 0, "reply without the QR bit");
        try {
            new Message(wire);
        } catch (IOException e) {
            throw new AssertionError("our reply does not parse: " + e.getMessage(), e);
        }
    }
}
