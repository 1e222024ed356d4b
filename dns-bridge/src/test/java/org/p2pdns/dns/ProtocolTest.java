package org.p2pdns.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.testing.FakeResolver;
import org.p2pdns.dns.testing.MutableClock;
import org.p2pdns.dns.testing.TestZone;
import org.p2pdns.dns.testing.UdpClient;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** Wire-level behaviour with raw sockets and dnsjava's resolver: malformed input, TCP, EDNS0, rate limits. */
class ProtocolTest {

    final MutableClock clock = new MutableClock();
    final FakeResolver resolver = TestZone.populate(new FakeResolver(clock));
    DnsBridge bridge;

    DnsBridge start(BridgeConfig cfg) throws IOException {
        bridge = DnsBridge.start(cfg.withBindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)),
                resolver, clock);
        return bridge;
    }

    DnsBridge start() throws IOException {
        return start(BridgeConfig.defaults().withForwarding(false, List.of()));
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    static byte[] header(int id, int flags, int qd, int an, int ns, int ar) {
        return new byte[] {(byte) (id >> 8), (byte) id, (byte) (flags >> 8), (byte) flags, 0, (byte) qd, 0,
                (byte) an, 0, (byte) ns, 0, (byte) ar};
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    static final byte[] TYPE_A_IN = {0, 1, 0, 1};

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("compression loop", concat(header(0x1111, 0x0100, 1, 0, 0, 0),
                        new byte[] {(byte) 0xc0, 12}, TYPE_A_IN), Rcode.FORMERR),
                Arguments.of("forward pointer", concat(header(0x1112, 0x0100, 1, 0, 0, 0),
                        new byte[] {(byte) 0xc0, 40}, TYPE_A_IN), Rcode.FORMERR),
                Arguments.of("two-pointer loop", concat(header(0x1113, 0x0100, 1, 0, 0, 0),
                        new byte[] {1, 'a', (byte) 0xc0, 17, (byte) 0xc0, 12}, TYPE_A_IN), Rcode.FORMERR),
                Arguments.of("label past the end", concat(header(0x1114, 0x0100, 1, 0, 0, 0),
                        new byte[] {40, 'a', 'b'}), Rcode.FORMERR),
                Arguments.of("bad label type", concat(header(0x1115, 0x0100, 1, 0, 0, 0),
                        new byte[] {(byte) 0x80, 0}, TYPE_A_IN), Rcode.FORMERR),
                Arguments.of("question cut short", concat(header(0x1116, 0x0100, 1, 0, 0, 0),
                        new byte[] {3, 'f', 'o', 'o', 0, 0}), Rcode.FORMERR),
                Arguments.of("no question", header(0x1117, 0x0100, 0, 0, 0, 0), Rcode.FORMERR),
                Arguments.of("two questions", concat(header(0x1118, 0x0100, 2, 0, 0, 0),
                        new byte[] {3, 'f', 'o', 'o', 0}, TYPE_A_IN, new byte[] {3, 'b', 'a', 'r', 0}, TYPE_A_IN),
                        Rcode.FORMERR),
                Arguments.of("counts promise more records", concat(header(0x1119, 0x0100, 1, 0, 0, 3),
                        new byte[] {3, 'f', 'o', 'o', 0}, TYPE_A_IN), Rcode.FORMERR),
                Arguments.of("bytes after the last record", concat(header(0x1120, 0x0100, 1, 0, 0, 0),
                        new byte[] {3, 'f', 'o', 'o', 0}, TYPE_A_IN, new byte[] {0, 0, 0}), Rcode.FORMERR),
                Arguments.of("qtype OPT", concat(header(0x111a, 0x0100, 1, 0, 0, 0),
                        new byte[] {3, 'f', 'o', 'o', 0, 0, 41, 0, 1}), Rcode.FORMERR),
                Arguments.of("opcode IQUERY", concat(header(0x111b, 0x0900, 1, 0, 0, 0),
                        new byte[] {3, 'f', 'o', 'o', 0}, TYPE_A_IN), Rcode.NOTIMP),
                Arguments.of("class CHAOS", concat(header(0x111c, 0x0100, 1, 0, 0, 0),
                        new byte[] {3, 'f', 'o', 'o', 0, 0, 16, 0, 3}), Rcode.REFUSED),
                Arguments.of("AXFR over UDP", concat(header(0x111d, 0x0100, 1, 0, 0, 0),
                        new byte[] {3, 'p', '2', 'p', 0, 0, (byte) 252, 0, 1}), Rcode.NOTIMP));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("malformed")
    void malformedQueriesGetAnErrorAndTheBridgeKeepsServing(String what, byte[] packet, int rcode) throws Exception {
        start();
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            c.send(packet);
            Message reply = c.receiveMessage();
            assertEquals(((packet[0] & 0xff) << 8) | (packet[1] & 0xff), reply.getHeader().getID());
            assertTrue(reply.getHeader().getFlag(Flags.QR));
            assertEquals(rcode, reply.getRcode(), what + ": " + reply);
            Message ok = c.ask(UdpClient.query("example.p2p.", "A", 7));
            assertEquals(Rcode.NOERROR, ok.getRcode());
        }
        assertEquals(0, bridge.stats().get(Counter.INTERNAL_ERRORS));
    }

    /**
     * Read pacing on a real socket: at a rate of 1 query/s every read batch after the first two 10 ms windows is
     * followed by a 2 ms pause with reading off. Bursts keep coming until three pauses were made; every query of every burst
     * must still be answered, with its own id (a pause that never ended would leave the next burst unanswered).
     */
    @Test
    void pacedReadsLoseNoQueryAndResumeAfterEachPause() throws Exception {
        start(BridgeConfig.defaults().withForwarding(false, List.of()).withReadPacing(1, Duration.ofMillis(2)));
        int id = 0;
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            for (int burst = 0; burst < 5000 && bridge.stats().get(Counter.READ_PAUSES) < 3; burst++) {
                boolean[] seen = new boolean[20];
                int first = id;
                for (int i = 0; i < 20; i++) {
                    c.send(UdpClient.query("example.p2p.", "A", id++).toWire());
                }
                for (int i = 0; i < 20; i++) {
                    Message m = c.receiveMessage();
                    assertEquals(Rcode.NOERROR, m.getRcode());
                    int k = m.getHeader().getID() - first;
                    assertTrue(k >= 0 && k < 20 && !seen[k], "an answer to this burst, once: id " + (first + k));
                    seen[k] = true;
                }
            }
        }
        assertTrue(bridge.stats().get(Counter.READ_PAUSES) >= 3, "reads were paced");
        assertEquals(id, bridge.stats().get(Counter.QUERIES_UDP), "every query read");
    }

    @Test
    void shortHeadersAndResponsesAreDroppedWithoutAnswer() throws Exception {
        start();
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            for (int len = 0; len < 12; len++) {
                c.send(new byte[len]);
            }
            byte[] response = UdpClient.query("example.p2p.", "A", 0x2222).toWire();
            response[2] |= (byte) 0x80;
            c.send(response);
            // answers come back in order from the one event loop: the first thing we get must be this one
            Message ok = c.ask(UdpClient.query("example.p2p.", "A", 0x3333));
            assertEquals(0x3333, ok.getHeader().getID());
        }
        assertEquals(13, bridge.stats().get(Counter.DROPPED_MALFORMED));
    }

    @Test
    void randomBytesNeverCrashTheBridge() throws Exception {
        start();
        Random random = new Random(42);
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            // Read while sending: 500 replies outrun a socket receive buffer of the usual 208 KiB if nobody reads
            // them, and the kernel would drop the last one, ours.
            java.util.concurrent.CompletableFuture<Void> reader = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    // replies come back in order; everything before ours answers junk and must be a response
                    while (true) {
                        byte[] reply = c.receive(5000);
                        assertNotNull(reply, "the bridge stopped answering");
                        assertTrue(reply.length >= 12 && (reply[2] & 0x80) != 0, "anything sent back is a response");
                        if (reply[0] == 0x44 && reply[1] == 0x44 && reply.length > 12) {
                            assertEquals(Rcode.NOERROR, new Message(reply).getRcode());
                            return;
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (int i = 0; i < 500; i++) {
                byte[] junk = new byte[random.nextInt(300)];
                random.nextBytes(junk);
                if (junk.length > 2) {
                    junk[2] &= 0x7f; // mostly queries, so they reach the decoder rather than the QR check
                }
                c.send(junk);
            }
            c.send(UdpClient.query("example.p2p.", "A", 0x4444).toWire());
            try {
                reader.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Error err ? err : new AssertionError(e.getCause());
            }
        }
        assertEquals(0, bridge.stats().get(Counter.INTERNAL_ERRORS));
        assertTrue(bridge.stats().get(Counter.FORMERR) > 0);
    }

    @Test
    void oversizedDatagramsAreAnsweredFormerrOrDroppedAndServingGoesOn() throws Exception {
        start();
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            byte[] big = java.util.Arrays.copyOf(UdpClient.query("example.p2p.", "A", 0x5555).toWire(), 9000);
            c.send(big); // a valid query followed by 8,9xx bytes of zeros: more than the counts promise
            c.send(UdpClient.query("example.p2p.", "A", 0x6666).toWire());
            Message m = c.receiveMessage();
            if (m.getHeader().getID() == 0x5555) { // epoll's batched reads may cut it; either way it is malformed
                assertEquals(Rcode.FORMERR, m.getRcode());
                m = c.receiveMessage();
            }
            assertEquals(0x6666, m.getHeader().getID());
            assertEquals(Rcode.NOERROR, m.getRcode());
        }
    }

    @Test
    void replyEchoesIdAndQuestionExactlyIncludingCase() throws Exception {
        start();
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            for (String name : new String[] {"eXaMpLe.P2p.", "EXAMPLE.P2P.", "example.p2p."}) {
                Message q = UdpClient.query(name, "A", 0xbeef);
                byte[] qw = q.toWire();
                byte[] a = c.ask(q).toWire();
                assertEquals(0xbeef, ((a[0] & 0xff) << 8) | (a[1] & 0xff));
                int qlen = name.length() + 1 + 4;
                assertArrayEquals(java.util.Arrays.copyOfRange(qw, 12, 12 + qlen),
                        java.util.Arrays.copyOfRange(a, 12, 12 + qlen), "question echoed byte for byte");
            }
        }
        assertTrue(bridge.stats().get(Counter.CACHE_HITS_FAST) >= 2, bridge.stats().toString());
    }

    @Test
    void ednsPayloadSizeIsHonoured() throws Exception {
        start();
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            Message small = UdpClient.query("big.p2p.", "TXT", 1);
            small.addRecord(new OPTRecord(600, 0, 0), Section.ADDITIONAL);
            Message r1 = c.ask(small);
            assertTrue(r1.getHeader().getFlag(Flags.TC));
            assertTrue(r1.toWire().length <= 600);
            assertNotNull(r1.getOPT(), "the OPT survives truncation");
            Message large = UdpClient.query("big.p2p.", "TXT", 2);
            large.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
            Message r2 = c.ask(large);
            assertFalse(r2.getHeader().getFlag(Flags.TC));
            assertEquals(20, r2.getSection(Section.ANSWER).size());
            assertEquals(1232, r2.getOPT().getPayloadSize());
            Message plain = c.ask(UdpClient.query("big.p2p.", "TXT", 3));
            assertTrue(plain.getHeader().getFlag(Flags.TC));
            assertTrue(plain.toWire().length <= 512);
            Message v1 = UdpClient.query("example.p2p.", "A", 4);
            v1.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);
            Message badvers = c.ask(v1);
            assertEquals(Rcode.BADVERS, badvers.getRcode());
            assertEquals(0, badvers.getOPT().getVersion());
        }
    }

    @Test
    void dnsjavaResolverGetsEveryRecordTypeAndFallsBackToTcp() throws Exception {
        start();
        SimpleResolver r = new SimpleResolver(bridge.udpAddress());
        r.setTimeout(Duration.ofSeconds(5));
        Record a = send(r, "example.p2p.", Type.A).getSection(Section.ANSWER).get(0);
        assertEquals("192.0.2.10", ((ARecord) a).getAddress().getHostAddress());
        assertEquals("hello world", ((TXTRecord) send(r, "example.p2p.", Type.TXT).getSection(Section.ANSWER)
                .get(0)).getStrings().get(0));
        assertEquals(10, ((MXRecord) send(r, "example.p2p.", Type.MX).getSection(Section.ANSWER).get(0))
                .getPriority());
        assertEquals(5060, ((SRVRecord) send(r, "_sip._udp.example.p2p.", Type.SRV).getSection(Section.ANSWER)
                .get(0)).getPort());
        assertEquals(Type.AAAA, send(r, "example.p2p.", Type.AAAA).getSection(Section.ANSWER).get(0).getType());
        assertEquals(2, send(r, "www.example.p2p.", Type.A).getSection(Section.ANSWER).size());
        r.setEDNS(-1);
        Message big = send(r, "big.p2p.", Type.TXT);
        assertEquals(20, big.getSection(Section.ANSWER).size(), "UDP answer was truncated, the TCP one is whole");
        assertTrue(bridge.stats().get(Counter.TRUNCATED) >= 1);
        assertTrue(bridge.stats().get(Counter.QUERIES_TCP) >= 1);
        // dnsjava's Lookup (the high-level API applications use)
        Lookup lookup = new Lookup("mail.example.p2p.", Type.A);
        lookup.setResolver(r);
        lookup.setCache(null);
        Record[] rs = lookup.run();
        assertEquals("192.0.2.25", ((ARecord) rs[0]).getAddress().getHostAddress());
    }

    static Message send(SimpleResolver r, String name, int type) throws Exception {
        return r.sendAsync(UdpClient.query(name, type, 0)).toCompletableFuture()
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void tcpCarriesSeveralQueriesPerConnectionAndClosesIdleOnes() throws Exception {
        // idle for 2 s: long enough that a loaded machine answers the pipelined queries before the close
        start(BridgeConfig.defaults().withForwarding(false, List.of()).withTcp(Duration.ofSeconds(2), 2));
        try (Socket s = new Socket(bridge.tcpAddress().getAddress(), bridge.tcpAddress().getPort())) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            List<String> names = List.of("example.p2p.", "mail.example.p2p.", "missing.p2p.", "big.p2p.");
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < names.size(); i++) {
                byte[] q = UdpClient.query(names.get(i), i == 3 ? "TXT" : "A", 100 + i).toWire();
                all.write(q.length >> 8);
                all.write(q.length);
                all.write(q);
            }
            out.write(all.toByteArray()); // pipelined in one segment
            out.flush();
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                byte[] a = in.readNBytes(in.readUnsignedShort());
                Message m = new Message(a);
                ids.add(m.getHeader().getID());
                if (m.getHeader().getID() == 103) {
                    assertEquals(20, m.getSection(Section.ANSWER).size(), "TCP answers are never truncated");
                }
                if (m.getHeader().getID() == 102) {
                    assertEquals(Rcode.NXDOMAIN, m.getRcode());
                }
            }
            assertEquals(List.of(100, 101, 102, 103), ids.stream().sorted().toList());
            assertEquals(-1, in.read(), "idle connection closed by the bridge");
        }
        assertEquals(1, bridge.stats().get(Counter.TCP_IDLE_CLOSED));
    }

    @Test
    void connectionsBeyondTheCapAreClosed() throws Exception {
        start(BridgeConfig.defaults().withForwarding(false, List.of()).withTcp(Duration.ofSeconds(30), 2));
        InetSocketAddress t = bridge.tcpAddress();
        try (Socket a = new Socket(t.getAddress(), t.getPort()); Socket b = new Socket(t.getAddress(), t.getPort())) {
            tcpAsk(a, 1);
            tcpAsk(b, 2);
            try (Socket c = new Socket(t.getAddress(), t.getPort())) {
                c.setSoTimeout(10_000);
                assertEquals(-1, c.getInputStream().read(), "third connection is closed at once");
            }
            tcpAsk(a, 3);
        }
        assertEquals(1, bridge.stats().get(Counter.TCP_REJECTED));
    }

    static void tcpAsk(Socket s, int id) throws IOException {
        s.setSoTimeout(10_000);
        byte[] q = UdpClient.query("example.p2p.", "A", id).toWire();
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeShort(q.length);
        out.write(q);
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        Message m = new Message(in.readNBytes(in.readUnsignedShort()));
        assertEquals(id, m.getHeader().getID());
    }

    @Test
    void perClientRateLimitDropsAndSlipsTruncatedAnswers() throws Exception {
        start(BridgeConfig.defaults().withForwarding(false, List.of()).withRateLimit(5, 5, true));
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            for (int i = 0; i < 10; i++) {
                c.send(UdpClient.query("example.p2p.", "A", 500 + i).toWire());
            }
            int full = 0;
            int tc = 0;
            byte[] b;
            while ((b = c.receive(1500)) != null) {
                Message m = new Message(b);
                if (m.getHeader().getFlag(Flags.TC)) {
                    tc++;
                    assertTrue(m.getSection(Section.ANSWER).isEmpty());
                } else {
                    full++;
                }
            }
            assertEquals(5, full);
            assertEquals(2, tc);
            assertEquals(5, bridge.stats().get(Counter.RATE_LIMITED));
            assertEquals(4, bridge.stats().get(Counter.CACHE_HITS_FAST), "limited clients keep the fast path");
            clock.advance(Duration.ofSeconds(1)); // refills 5 tokens
            assertEquals(Rcode.NOERROR, c.ask(UdpClient.query("example.p2p.", "A", 600)).getRcode());
        }
        // TCP is never rate limited: the client proved its address
        try (Socket s = new Socket(bridge.tcpAddress().getAddress(), bridge.tcpAddress().getPort())) {
            for (int i = 0; i < 10; i++) {
                tcpAsk(s, 700 + i);
            }
        }
    }

    @Test
    void extendedErrorIsOnlySentToEdnsClients() throws Exception {
        start();
        try (UdpClient c = new UdpClient(bridge.udpAddress())) {
            Message q = UdpClient.query("nopeers.p2p.", "A", 9);
            q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
            Message r = c.ask(q);
            assertEquals(Rcode.SERVFAIL, r.getRcode());
            ExtendedErrorCodeOption ede = (ExtendedErrorCodeOption) r.getOPT().getOptions().get(0);
            assertEquals(ExtendedErrorCodeOption.NETWORK_ERROR, ede.getErrorCode());
            Message plain = c.ask(UdpClient.query("nopeers.p2p.", "A", 10));
            assertEquals(Rcode.SERVFAIL, plain.getRcode());
            assertEquals(null, plain.getOPT());
        }
    }
}
