package org.p2pdns.dns.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.cache.CacheHandler;
import org.p2pdns.dns.cache.ResponseCache;
import org.p2pdns.dns.chain.DnsHandler;
import org.p2pdns.dns.chain.DnsRequest;
import org.p2pdns.dns.chain.Guard;
import org.p2pdns.dns.chain.Outcome;
import org.p2pdns.dns.chain.RateLimiter;
import org.p2pdns.dns.chain.Responses;
import org.p2pdns.dns.chain.ZoneRouter;
import org.p2pdns.dns.overlay.OverlayHandler;
import org.p2pdns.dns.testing.FakeResolver;
import org.p2pdns.dns.testing.MutableClock;
import org.p2pdns.dns.testing.TestZone;
import org.p2pdns.dns.testing.UdpClient;
import org.p2pdns.node.time.VirtualScheduler;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/**
 * The UDP fast path (cached answers re-sent from their encoding, the query never decoded) against the full chain on
 * the same cache and clock. Table-driven: for every kind of cached answer (overlay positive, NODATA and NXDOMAIN with
 * the SOA, forwarded positive and NXDOMAIN) and every query shape, the fast answer must be byte for byte what the
 * slow path renders, and is also checked field by field (id, question bytes with their case, RD/CD, TTLs counted
 * down, OPT only for EDNS clients). Queries the fast path must leave to the slow path (too big for the client, bad
 * EDNS, not a plain query) are a second table. Then the Netty handler: one flush per read batch, buffers released.
 */
class FastPathTest {

    static final int PAYLOAD = 1232;
    static final long ELAPSED_SECONDS = 7;

    final MutableClock clock = new MutableClock();
    final BridgeStats stats = new BridgeStats();
    final ServerCore core = core(clock, stats);
    final InetSocketAddress client = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

    /** A chain like the bridge's: overlay names from {@link TestZone}, outside names from {@link #upstream}. */
    static ServerCore core(MutableClock clock, BridgeStats stats) {
        try {
            Responses responses = new Responses(clock, PAYLOAD);
            Name zone = Name.fromString("p2p.");
            FakeResolver resolver = TestZone.populate(new FakeResolver(clock));
            DnsHandler overlay = new OverlayHandler(zone, resolver, responses, stats, new VirtualScheduler(),
                    Duration.ofSeconds(5), Duration.ofSeconds(60));
            DnsHandler router = new ZoneRouter(zone, overlay, req -> upstream(req, responses), responses);
            ResponseCache cache = new ResponseCache(1000, stats);
            DnsHandler cached = new CacheHandler(cache, router, responses, stats, Duration.ofDays(1),
                    Duration.ofDays(1));
            RateLimiter limiter = new RateLimiter(clock, 1000, 2000, false);
            return new ServerCore(new Guard(responses, limiter, stats), cached, cache, limiter, responses, stats);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What the forwarder makes of an upstream's answers: {@code fwd.example.} two A records (TTL 300 and 200, cached
     * 200 s), anything else NXDOMAIN with the upstream's SOA (TTL 900, MINIMUM 120: cached 120 s, RFC 2308).
     */
    static CompletableFuture<Outcome> upstream(DnsRequest req, Responses responses) {
        try {
            Name name = req.qname();
            if (name.equals(Name.fromString("fwd.example."))) {
                Message m = responses.start(req.query(), Rcode.NOERROR, false);
                m.addRecord(TestZone.rr("fwd.example. A 198.51.100.1", 300), Section.ANSWER);
                m.addRecord(TestZone.rr("fwd.example. A 198.51.100.2", 200), Section.ANSWER);
                return CompletableFuture.completedFuture(new Outcome(responses.template(m, -1, null), 200, false));
            }
            Message m = responses.start(req.query(), Rcode.NXDOMAIN, false);
            m.addRecord(new SOARecord(Name.fromString("example."), 1, 900, Name.fromString("ns.example."),
                    Name.fromString("admin.example."), 7, 3600, 600, 86400, 120), Section.AUTHORITY);
            return CompletableFuture.completedFuture(new Outcome(responses.template(m, -1, null), 120, false));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A cached answer kind: a question, its rcode, and the TTL each record of answer and authority had. */
    record Kind(String label, String name, String type, int rcode, boolean authority, long... ttls) {
        @Override
        public String toString() {
            return label;
        }
    }

    /** A query shape: how the client's query differs from dnsjava's default (RD set, no OPT). */
    record Shape(String label, UnaryOperator<String> caseOf, boolean rd, boolean cd, OPTRecord opt) {
        @Override
        public String toString() {
            return label;
        }

        byte[] wire(Kind k, int id) {
            return wire(caseOf.apply(k.name()), k, id);
        }

        /** The same query with every letter of the name in the other case (what cached the answer, in the test). */
        byte[] swappedCase(Kind k, int id) {
            StringBuilder b = new StringBuilder(caseOf.apply(k.name()));
            for (int i = 0; i < b.length(); i++) {
                char c = b.charAt(i);
                b.setCharAt(i, Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
            }
            return wire(b.toString(), k, id);
        }

        private byte[] wire(String name, Kind k, int id) {
            Message q = UdpClient.query(name, k.type(), id);
            if (!rd) {
                q.getHeader().unsetFlag(Flags.RD);
            }
            if (cd) {
                q.getHeader().setFlag(Flags.CD);
            }
            if (opt != null) {
                q.addRecord(opt, Section.ADDITIONAL);
            }
            return q.toWire();
        }
    }

    static final List<Kind> KINDS = List.of(
            new Kind("overlay A", "example.p2p.", "A", Rcode.NOERROR, true, 300),
            new Kind("overlay NODATA (SOA)", "example.p2p.", "SRV", Rcode.NOERROR, true, 60),
            new Kind("overlay NXDOMAIN (SOA)", "nothere.p2p.", "A", Rcode.NXDOMAIN, true, 60),
            new Kind("forwarded A", "fwd.example.", "A", Rcode.NOERROR, false, 300, 200),
            new Kind("forwarded NXDOMAIN (SOA)", "gone.example.", "A", Rcode.NXDOMAIN, false, 900));

    static final List<Shape> SHAPES = List.of(
            new Shape("plain", n -> n, true, false, null),
            new Shape("mixed case, RD clear, CD set", FastPathTest::mixedCase, false, true, null),
            new Shape("upper case", n -> n.toUpperCase(java.util.Locale.ROOT), true, false, null),
            new Shape("EDNS 1232", n -> n, true, false, new OPTRecord(1232, 0, 0)),
            new Shape("EDNS 4096 with DO", FastPathTest::mixedCase, true, false,
                    new OPTRecord(4096, 0, 0, Flags.DO)),
            new Shape("EDNS 512 with a cookie", n -> n, true, true, new OPTRecord(512, 0, 0, 0,
                    List.of(new CookieOption(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})))));

    static Stream<Arguments> kindsAndShapes() {
        return KINDS.stream().flatMap(k -> SHAPES.stream().map(s -> Arguments.of(k, s)));
    }

    static String mixedCase(String name) {
        StringBuilder b = new StringBuilder(name);
        for (int i = 0; i < b.length(); i += 2) {
            b.setCharAt(i, Character.toUpperCase(b.charAt(i)));
        }
        return b.toString();
    }

    byte[] slow(byte[] raw) {
        List<byte[]> out = new ArrayList<>();
        core.process(raw, client, false, out::add);
        assertEquals(1, out.size(), "one answer from the slow path");
        return out.get(0);
    }

    /** The fast path's answer, or null if it left the query to the slow path. */
    byte[] fast(byte[] raw) {
        ByteBuf in = Unpooled.directBuffer(raw.length + 3).writeBytes(new byte[] {9, 9, 9}).writeBytes(raw);
        in.readerIndex(3); // a datagram is a slice of a larger read buffer
        try {
            ServerCore.Scratch s = core.newScratch();
            long r = core.fastPath(in, client, s, clock.millis());
            s.flushCounts(stats);
            return r == ServerCore.ANSWERED ? Arrays.copyOf(s.answer(), s.answerLength()) : null;
        } finally {
            in.release();
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndShapes")
    void fastAnswersAreWhatTheChainRendersAndEchoTheQuery(Kind kind, Shape shape) throws Exception {
        byte[] first = shape.swappedCase(kind, 0x1111); // the cached encoding has the other case
        assertNull(fast(first), "nothing cached yet");
        slow(first);
        clock.advance(Duration.ofMillis(ELAPSED_SECONDS * 1000 + 500));

        byte[] raw = shape.wire(kind, 0xbeef);
        long before = stats.get(Counter.CACHE_HITS_FAST);
        byte[] f = fast(raw);
        assertNotNull(f, "a cached answer takes the fast path");
        assertEquals(before + 1, stats.get(Counter.CACHE_HITS_FAST));
        assertArrayEquals(slow(raw), f, "fast and slow paths give the same bytes");

        Message q = new Message(raw);
        Message a = new Message(f);
        assertEquals(0xbeef, a.getHeader().getID());
        assertTrue(a.getHeader().getFlag(Flags.QR));
        assertEquals(q.getHeader().getFlag(Flags.RD), a.getHeader().getFlag(Flags.RD));
        assertEquals(q.getHeader().getFlag(Flags.CD), a.getHeader().getFlag(Flags.CD));
        assertFalse(a.getHeader().getFlag(Flags.AD));
        assertFalse(a.getHeader().getFlag(Flags.TC));
        assertEquals(kind.name().endsWith(".p2p."), a.getHeader().getFlag(Flags.AA));
        int qlen = q.getQuestion().getName().length() + 4;
        assertArrayEquals(Arrays.copyOfRange(raw, 12, 12 + qlen), Arrays.copyOfRange(f, 12, 12 + qlen),
                "question echoed byte for byte, case included");
        assertEquals(kind.rcode(), a.getRcode());
        List<Record> records = new ArrayList<>(a.getSection(Section.ANSWER));
        records.addAll(a.getSection(Section.AUTHORITY));
        assertEquals(kind.ttls().length, records.size(), records.toString());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(kind.ttls()[i] - ELAPSED_SECONDS, records.get(i).getTTL(), "TTL counted down: " + records);
        }
        if (kind.rcode() == Rcode.NXDOMAIN || a.getSection(Section.ANSWER).isEmpty()) {
            assertTrue(a.getSection(Section.AUTHORITY).get(0) instanceof SOARecord, "negative answers carry the SOA");
        }
        if (q.getOPT() == null) {
            assertNull(a.getOPT(), "no OPT for a client that sent none");
        } else {
            assertEquals(PAYLOAD, a.getOPT().getPayloadSize());
            assertEquals(0, a.getOPT().getFlags() & Flags.DO, "no DNSSEC: DO is not echoed");
        }
    }

    @Test
    void expiredAnswersLeaveTheFastPath() {
        Kind k = KINDS.get(0);
        byte[] raw = SHAPES.get(0).wire(k, 7);
        slow(raw);
        clock.advance(Duration.ofSeconds(299));
        assertNotNull(fast(raw));
        clock.advance(Duration.ofSeconds(1));
        assertNull(fast(raw), "past its TTL an answer is refreshed (or served stale) by the chain");
    }

    /** Queries for a cached name that the fast path must leave to the chain; each is first cached as {@code base}. */
    static Stream<Arguments> declined() {
        byte[] a = UdpClient.query("example.p2p.", "A", 5).toWire();
        byte[] big = UdpClient.query("big.p2p.", "TXT", 5).toWire();
        return Stream.of(
                Arguments.of("answer over 512 bytes, no EDNS (the chain truncates)", big, big),
                Arguments.of("answer over the client's EDNS payload", big, withOpt(big, 600, 0, new byte[0])),
                Arguments.of("EDNS version 1 (BADVERS)", a, withOpt(a, 1232, 1, new byte[0])),
                Arguments.of("option longer than the OPT data", a, withOpt(a, 1232, 0, new byte[] {0, 10, 0, 9, 1})),
                Arguments.of("bytes after the last option", a, withOpt(a, 1232, 0, new byte[] {0, 8, 0, 0, 1})),
                Arguments.of("a byte after the question", a, Arrays.copyOf(a, a.length + 1)),
                Arguments.of("QR set", a, patch(a, 2, 0x80)),
                Arguments.of("opcode NOTIFY", a, patch(a, 2, 4 << 3)),
                Arguments.of("three questions", a, patch(a, 5, 2)),
                Arguments.of("an answer record count", a, patch(a, 7, 1)),
                Arguments.of("class CH", a, patch(a, a.length - 1, 3)),
                Arguments.of("compressed question name", a, compressed(a)));
    }

    static byte[] patch(byte[] w, int at, int orBits) {
        byte[] c = w.clone();
        c[at] |= (byte) orBits;
        return c;
    }

    /** {@code w} plus an OPT record with the given payload, version and raw option bytes. */
    static byte[] withOpt(byte[] w, int payload, int version, byte[] options) {
        byte[] c = Arrays.copyOf(w, w.length + 11 + options.length);
        c[11] = 1;
        int p = w.length;
        c[p + 2] = 41;
        c[p + 3] = (byte) (payload >> 8);
        c[p + 4] = (byte) payload;
        c[p + 6] = (byte) version;
        c[p + 10] = (byte) options.length;
        System.arraycopy(options, 0, c, p + 11, options.length);
        return c;
    }

    /** {@code w} with its question name replaced by a compression pointer (to the header: nonsense either way). */
    static byte[] compressed(byte[] w) {
        byte[] c = new byte[12 + 2 + 4];
        System.arraycopy(w, 0, c, 0, 12);
        c[12] = (byte) 0xc0;
        c[13] = 12;
        System.arraycopy(w, w.length - 4, c, 14, 4);
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("declined")
    void queriesTheFastPathLeavesToTheChain(String label, byte[] base, byte[] raw) {
        slow(base);
        assertNotNull(fast(withOpt(base, 4096, 0, new byte[0])), "the name is cached");
        long before = stats.get(Counter.CACHE_HITS_FAST);
        assertNull(fast(raw), label);
        assertEquals(before, stats.get(Counter.CACHE_HITS_FAST));
    }

    @Test
    void theChainTruncatesWhatTheFastPathDeclined() throws Exception {
        byte[] big = UdpClient.query("big.p2p.", "TXT", 5).toWire();
        slow(big);
        Message cut = new Message(slow(big));
        assertTrue(cut.getHeader().getFlag(Flags.TC));
        byte[] large = withOpt(big, 4096, 0, new byte[0]);
        byte[] f = fast(large);
        assertNotNull(f, "fits the client's EDNS payload (capped at ours)");
        assertTrue(f.length <= PAYLOAD);
        assertEquals(20, new Message(f).getSection(Section.ANSWER).size());
    }

    @Test
    void rateLimitedClientsAreCountedOnTheFastPath() {
        BridgeStats s = new BridgeStats();
        MutableClock c = new MutableClock();
        ServerCore limited = core(c, s);
        byte[] raw = UdpClient.query("example.p2p.", "A", 1).toWire();
        List<byte[]> out = new ArrayList<>();
        limited.process(raw, client, false, out::add);
        InetSocketAddress remote = new InetSocketAddress("192.0.2.99", 5000); // not loopback: limited
        ServerCore.Scratch scratch = limited.newScratch();
        int answered = 0;
        long verdict = 0;
        for (int i = 0; i < 2001; i++) {
            verdict = limited.fastPath(Unpooled.wrappedBuffer(raw), remote, scratch, c.millis());
            answered += verdict == ServerCore.ANSWERED ? 1 : 0;
        }
        assertEquals(2000, answered, "the burst");
        assertEquals(1, verdict, "the first query over the limit, handed to the guard");
    }

    @Test
    void nettyHandlerFlushesOncePerReadBatchAndReleasesBuffers() throws Exception {
        UdpHandler handler = new UdpHandler(core, stats);
        EmbeddedChannel ch = new EmbeddedChannel(handler);
        ch.config().setAllocator(PooledByteBufAllocator.DEFAULT); // as Listeners configures the UDP channel
        InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5354);
        byte[] cachedQ = UdpClient.query("example.p2p.", "A", 1).toWire();
        slow(cachedQ);
        List<DatagramPacket> in = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] raw = UdpClient.query(i == 2 ? "other.p2p." : "Example.P2P.", "A", 100 + i).toWire();
            in.add(new DatagramPacket(Unpooled.wrappedBuffer(raw), local,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000 + i)));
        }
        for (DatagramPacket p : in) {
            ch.pipeline().fireChannelRead(p.retain());
        }
        assertNull(ch.readOutbound(), "nothing is sent before the batch ends");
        ch.pipeline().fireChannelReadComplete();
        for (int i = 0; i < 3; i++) {
            DatagramPacket out = ch.readOutbound();
            assertNotNull(out, "answer " + i);
            assertEquals(40000 + i, out.recipient().getPort());
            byte[] wire = new byte[out.content().readableBytes()];
            out.content().readBytes(wire);
            assertEquals(100 + i, new Message(wire).getHeader().getID());
            assertTrue(out.release(), "each answer is released by whoever sent it");
        }
        assertNull(ch.readOutbound());
        for (DatagramPacket p : in) {
            assertEquals(1, p.refCnt(), "the handler released what it was given");
            p.release();
        }
        assertEquals(2, stats.get(Counter.CACHE_HITS_FAST), "two cached, one resolved on the slow path");
        ByteBuf answers = handler.answerBuffer();
        assertEquals(1, answers.refCnt(), "fast answers were slices of one buffer, now only the handler's");
        assertFalse(ch.finish());
        assertEquals(0, answers.refCnt(), "released with the channel");
    }

    @Test
    void answersSlicedFromASampledBufferAreNotTrackedOneByOne() throws Exception {
        // PARANOID: the leak detector wraps every buffer, as SIMPLE does one in 128; each slice of a wrapper would
        // be tracked with two stack traces, so the answers are sliced from the buffer inside the wrapper
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            UdpHandler handler = new UdpHandler(core, stats);
            EmbeddedChannel ch = new EmbeddedChannel(handler);
            ch.config().setAllocator(PooledByteBufAllocator.DEFAULT);
            slow(UdpClient.query("example.p2p.", "A", 1).toWire());
            InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5354);
            for (int i = 0; i < 2; i++) {
                byte[] raw = UdpClient.query("example.p2p.", "A", 200 + i).toWire();
                ch.pipeline().fireChannelRead(new DatagramPacket(Unpooled.wrappedBuffer(raw), local,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 41000 + i)));
            }
            ch.pipeline().fireChannelReadComplete();
            ByteBuf answers = handler.answerBuffer();
            assertTrue(answers.getClass().getSimpleName().contains("LeakAware"), answers.getClass().getName());
            for (int i = 0; i < 2; i++) {
                DatagramPacket out = ch.readOutbound();
                assertNotNull(out, "answer " + i);
                assertFalse(out.content().getClass().getSimpleName().contains("LeakAware"),
                        out.content().getClass().getName());
                assertEquals(200 + i, new Message(ByteBufUtil.getBytes(out.content())).getHeader().getID());
                assertTrue(out.release());
            }
            assertEquals(1, answers.refCnt(), "the slices shared the wrapped buffer's count");
            assertFalse(ch.finish());
            assertEquals(0, answers.refCnt(), "released with the channel");
        } finally {
            ResourceLeakDetector.setLevel(before);
        }
    }
}
