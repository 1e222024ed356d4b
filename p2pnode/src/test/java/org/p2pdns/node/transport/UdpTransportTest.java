package org.p2pdns.node.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.time.EventLoopScheduler;
import org.p2pdns.node.transport.TransportStats.Counter;

/** Real sockets on 127.0.0.1, ephemeral ports. */
class UdpTransportTest {

    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(),
            0);

    private final java.util.List<AutoCloseable> closeables = new java.util.ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    /** A real node stack: event thread, UDP socket, demultiplexer, secure transport. */
    private final class RealNode {
        final NodeIdentity identity = NodeIdentity.generate(new Random());
        final EventLoopScheduler scheduler = closeLater(new EventLoopScheduler("test-node"));
        final TransportStats stats = new TransportStats();
        final UdpTransport udp;
        final PacketDemux demux;
        final SecureTransport secure;

        RealNode() throws IOException {
            udp = closeLater(UdpTransport.bind(LOOPBACK_ANY_PORT, scheduler, stats));
            demux = PacketDemux.attach(udp, stats);
            // no handshake retry within 10 s: the default 1 s can pass on a loaded machine before the first
            // (cold) handshake is answered, and a retry would add datagrams the test counts
            secure = new SecureTransport(identity, udp, scheduler, new Random(),
                    TransportConfig.forNetwork(NetworkParams.TEST).withHandshakeRetry(Duration.ofSeconds(10), 3),
                    stats);
            demux.onSession(secure);
        }

        Contact contact() {
            return identity.contact(udp.localAddress());
        }
    }

    @Test
    void ikAndXxOverRealSockets() throws Exception {
        RealNode a = new RealNode();
        RealNode b = new RealNode();
        assertNotEquals(0, a.udp.localAddress().getPort());
        CompletableFuture<Contact> bSaw = new CompletableFuture<>();
        CompletableFuture<String> aGot = new CompletableFuture<>();
        b.secure.setHandler((from, msg) -> {
            bSaw.complete(from);
            b.secure.send(from, ("re:" + new String(msg, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        });
        a.secure.setHandler((from, msg) -> {
            assertArrayEquals(b.identity.publicKey(), from.publicKey());
            aGot.complete(new String(msg, StandardCharsets.UTF_8));
        });
        a.secure.send(b.contact(), "hello".getBytes(StandardCharsets.UTF_8));
        assertEquals("re:hello", aGot.get(10, TimeUnit.SECONDS));
        Contact seen = bSaw.get(10, TimeUnit.SECONDS);
        assertArrayEquals(a.identity.publicKey(), seen.publicKey());
        assertEquals(a.udp.localAddress(), seen.address());
        // IK: one datagram each way carried request and reply (a may add a keepalive a second later)
        assertEquals(1, b.stats.get(Counter.DATAGRAMS_SENT));
        assertEquals(1, a.stats.get(Counter.MESSAGES_SENT));
        assertEquals(1, a.stats.get(Counter.DATAGRAMS_SENT) - a.stats.get(Counter.KEEPALIVES_SENT));

        RealNode c = new RealNode();
        CompletableFuture<Contact> cGot = new CompletableFuture<>();
        c.secure.setHandler((from, msg) -> c.secure.send(from, "pong".getBytes(StandardCharsets.UTF_8)));
        a.secure.setHandler((from, msg) -> cGot.complete(from));
        a.secure.sendToAddress(c.udp.localAddress(), "ping".getBytes(StandardCharsets.UTF_8));
        Contact learned = cGot.get(10, TimeUnit.SECONDS);
        assertArrayEquals(c.identity.publicKey(), learned.publicKey());
        assertEquals(c.identity.id(), learned.id());
    }

    @Test
    void oversizedDatagramsAreDroppedBothWaysAndTheDemuxRoutesByType() throws Exception {
        EventLoopScheduler scheduler = closeLater(new EventLoopScheduler("demux-test"));
        TransportStats stats = new TransportStats();
        UdpTransport udp = closeLater(UdpTransport.bind(LOOPBACK_ANY_PORT, scheduler, stats));
        assertTrue(udp.receiveBufferSize() > 0);
        PacketDemux demux = PacketDemux.attach(udp, stats);
        CompletableFuture<byte[]> punch = new CompletableFuture<>();
        CompletableFuture<byte[]> stun = new CompletableFuture<>();
        CompletableFuture<byte[]> intro = new CompletableFuture<>();
        demux.onPunch((from, p) -> punch.complete(p));
        demux.onStun((from, p) -> stun.complete(p));
        demux.onIntro((from, p) -> intro.complete(p));

        udp.send(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                new byte[DatagramTransport.MAX_DATAGRAM + 1]);
        assertEquals(1, stats.get(Counter.OVERSIZED_SEND_DROPPED));
        assertEquals(0, stats.get(Counter.DATAGRAMS_SENT));

        try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            InetSocketAddress to = udp.localAddress();
            raw.send(new DatagramPacket(new byte[1500], 1500, to));          // oversized
            raw.send(new DatagramPacket(new byte[] {0x01, 2, 3}, 3, to));     // no such type
            byte[] stunMsg = new byte[20];
            stunMsg[1] = 1;                                                   // binding request
            stunMsg[4] = 0x21;
            stunMsg[5] = 0x12;
            stunMsg[6] = (byte) 0xA4;
            stunMsg[7] = 0x42;
            raw.send(new DatagramPacket(stunMsg, stunMsg.length, to));
            raw.send(new DatagramPacket(new byte[] {0x61, 1}, 2, to));
            raw.send(new DatagramPacket(new byte[] {0x70, 9}, 2, to));
            assertArrayEquals(stunMsg, stun.get(10, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {0x61, 1}, intro.get(10, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {0x70, 9}, punch.get(10, TimeUnit.SECONDS));
        }
        // the punch arrived last on one socket pair and one event thread: the earlier datagrams were handled before
        CompletableFuture<Void> barrier = new CompletableFuture<>();
        scheduler.execute(() -> barrier.complete(null));
        barrier.get(10, TimeUnit.SECONDS);
        assertEquals(1, stats.get(Counter.OVERSIZED_RECEIVE_DROPPED));
        assertEquals(1, stats.get(Counter.UNKNOWN_TYPE_DROPPED));
        assertEquals(5, stats.get(Counter.DATAGRAMS_RECEIVED));
    }

    @Test
    void ipv6Loopback() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        EventLoopScheduler scheduler = closeLater(new EventLoopScheduler("v6"));
        UdpTransport a;
        try {
            a = closeLater(UdpTransport.bind(v6, scheduler, new TransportStats()));
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        UdpTransport b = closeLater(UdpTransport.bind(v6, scheduler, new TransportStats()));
        TransportConfig cfg = TransportConfig.forNetwork(NetworkParams.TEST);
        NodeIdentity ia = NodeIdentity.generate(new Random());
        NodeIdentity ib = NodeIdentity.generate(new Random());
        SecureTransport sa = new SecureTransport(ia, a, scheduler, new Random(), cfg, new TransportStats());
        SecureTransport sb = new SecureTransport(ib, b, scheduler, new Random(), cfg, new TransportStats());
        a.setReceiver(sa);
        b.setReceiver(sb);
        CompletableFuture<Contact> got = new CompletableFuture<>();
        sb.setHandler((from, msg) -> got.complete(from));
        sa.send(ib.contact(b.localAddress()), new byte[] {1});
        Contact from = got.get(10, TimeUnit.SECONDS);
        assertEquals(a.localAddress(), from.address());
        assertTrue(from.address().getAddress() instanceof java.net.Inet6Address);
    }

    @Test
    void bindingABusyPortIsAClearError() throws Exception {
        EventLoopScheduler scheduler = closeLater(new EventLoopScheduler("bind-test"));
        UdpTransport first = closeLater(UdpTransport.bind(LOOPBACK_ANY_PORT, scheduler, new TransportStats()));
        IOException e = assertThrows(IOException.class,
                () -> UdpTransport.bind(first.localAddress(), scheduler, new TransportStats()));
        assertTrue(e.getMessage().contains(String.valueOf(first.localAddress().getPort())), e.getMessage());
    }

    @Test
    void demuxRejectsRoutesIntoTheStunRange() {
        PacketDemux d = new PacketDemux(new TransportStats());
        assertThrows(IllegalArgumentException.class, () -> d.route(0x00, 0x10, (f, p) -> { }));
        d.onDatagram(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), new byte[0]);
    }
}
