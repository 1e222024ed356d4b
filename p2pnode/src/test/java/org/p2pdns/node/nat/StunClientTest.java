package org.p2pdns.node.nat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.intro.IntroDecodeException;
import org.p2pdns.node.intro.NettyUdpEndpoint;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.transport.DatagramReceiver;
import org.p2pdns.node.transport.DatagramTransport;
import org.p2pdns.node.transport.PacketType;

class StunClientTest {

    /** RFC 5769 section 2.2: IPv4 response vector (fingerprint and integrity attributes are skipped by us). */
    private static final String RFC5769_RESPONSE = "0101003c2112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220" + "002000080001a147e112a643"
            + "000800144bf3a7d3c9bb5f2ab2d9e5fd6b1b6b5d0d29fdd6" + "80280004c07d4c96";

    @Test
    void decodesTheRfc5769Vector() throws Exception {
        StunCodec.BindingResponse r = StunCodec.decodeResponse(HexFormat.of().parseHex(RFC5769_RESPONSE));
        assertEquals(new InetSocketAddress("192.0.2.1", 32853), r.mapped());
        assertArrayEquals(HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae"), r.transactionId());
    }

    @Test
    void malformedResponsesAreTypedErrors() {
        byte[] good = HexFormat.of().parseHex(RFC5769_RESPONSE);
        for (int len = 0; len < good.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(good, len);
            assertThrows(IntroDecodeException.class, () -> StunCodec.decodeResponse(cut), "len " + len);
        }
        byte[] req = StunCodec.bindingRequest(new byte[12]);
        assertTrue(PacketType.isStun(req));
        assertThrows(IntroDecodeException.class, () -> StunCodec.decodeResponse(req), "a request is not a response");
        Random r = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = good.clone();
            b[20 + r.nextInt(b.length - 20)] = (byte) r.nextInt();
            try {
                StunCodec.decodeResponse(b);
            } catch (IntroDecodeException expected) {
                // fine
            }
        }
    }

    /** A transport whose sent packets the test inspects and answers. */
    private static final class Loop implements DatagramTransport {
        final List<byte[]> sent = new ArrayList<>();
        final List<InetSocketAddress> to = new ArrayList<>();

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress("192.0.2.10", 4000);
        }

        @Override
        public void send(InetSocketAddress dst, byte[] packet) {
            to.add(dst);
            sent.add(packet);
        }

        @Override
        public void setReceiver(DatagramReceiver receiver) {
        }

        @Override
        public void close() {
        }
    }

    private static byte[] successFor(byte[] request, InetSocketAddress mapped) {
        byte[] m = new byte[32];
        m[0] = 0x01;
        m[1] = 0x01;
        m[3] = 12;
        System.arraycopy(request, 4, m, 4, 16);
        m[20] = 0x00;
        m[21] = 0x20;
        m[23] = 8;
        m[25] = 1;
        int port = mapped.getPort() ^ 0x2112;
        m[26] = (byte) (port >> 8);
        m[27] = (byte) port;
        byte[] ip = mapped.getAddress().getAddress();
        byte[] cookie = {0x21, 0x12, (byte) 0xA4, 0x42};
        for (int i = 0; i < 4; i++) {
            m[28 + i] = (byte) (ip[i] ^ cookie[i]);
        }
        return m;
    }

    @Test
    void retransmitsThenTimesOut() {
        VirtualScheduler s = new VirtualScheduler();
        Loop t = new Loop();
        StunClient c = new StunClient(s, t, new Random(1));
        CompletableFuture<InetSocketAddress> f = c.binding(new InetSocketAddress("198.51.100.10", 3478));
        s.runFor(Duration.ofSeconds(10));
        assertEquals(4, t.sent.size());
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertInstanceOf(TimeoutException.class, e.getCause());
    }

    @Test
    void trustsOnlyTheRightTransactionFromTheRightSource() throws Exception {
        VirtualScheduler s = new VirtualScheduler();
        Loop t = new Loop();
        StunClient c = new StunClient(s, t, new Random(1));
        InetSocketAddress server = new InetSocketAddress("198.51.100.10", 3478);
        CompletableFuture<InetSocketAddress> f = c.binding(server);
        byte[] req = t.sent.get(0);
        InetSocketAddress mapped = new InetSocketAddress("203.0.113.1", 40001);
        c.onStun(new InetSocketAddress("198.51.100.66", 3478), successFor(req, mapped)); // wrong source
        byte[] otherTid = req.clone();
        otherTid[19] ^= 1;
        c.onStun(server, successFor(otherTid, mapped)); // wrong transaction
        assertFalse(f.isDone());
        assertEquals(2, c.dropped());
        c.onStun(server, successFor(req, mapped));
        assertEquals(mapped, f.get());
        s.runFor(Duration.ofSeconds(5));
        assertEquals(1, t.sent.size(), "no retransmit after the answer");
    }

    @Test
    void ourClientAgainstCoturnOnLoopback() throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/turnserver").canExecute(), "coturn is not installed");
        int port = org.p2pdns.node.util.TestPorts.freeLoopbackPort(new Random(), p -> false);
        Path dir = Files.createTempDirectory("coturn");
        Process turn = new ProcessBuilder("turnserver", "-n", "--stun-only", "-L", "127.0.0.1", "-p",
                String.valueOf(port), "--no-cli", "--no-tls", "--no-dtls", "--no-stdout-log",
                "--log-file", dir.resolve("turn.log").toString(), "--pidfile", dir.resolve("turn.pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
        try (NettyUdpEndpoint node = NettyUdpEndpoint.bind(new InetSocketAddress("127.0.0.1", 0),
                Clock.systemUTC(), 1200)) {
            // generous retransmits: coturn needs a moment to start listening
            StunClient client = new StunClient(node.scheduler(), node, new Random(9), Duration.ofMillis(100), 8);
            node.setReceiver((from, p) -> {
                if (PacketType.isStun(p)) {
                    client.onStun(from, p);
                }
            });
            CompletableFuture<InetSocketAddress> f = CompletableFuture.supplyAsync(
                    () -> client.binding(new InetSocketAddress("127.0.0.1", port)), node.scheduler())
                    .thenCompose(x -> x);
            assertEquals(node.localAddress(), f.get(30, SECONDS));
        } finally {
            turn.destroy();
            if (!turn.waitFor(5, SECONDS)) {
                turn.destroyForcibly();
            }
        }
    }
}
