package org.p2pdns.node.nat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroCodec;
import org.p2pdns.node.transport.PacketType;

class NatDatagramTransportTest {

    private final MemNet net = new MemNet();
    private final MemNet.Endpoint socket = net.endpoint("192.0.2.10", 4000);
    private final NatDatagramTransport t = new NatDatagramTransport(socket);
    private final List<String> seen = new ArrayList<>();
    private final List<Object[]> relayed = new ArrayList<>();

    {
        t.setNatHandlers((f, p) -> seen.add("intro"), (f, p) -> seen.add("punch"), (f, p) -> seen.add("stun"));
        t.setReceiver((f, p) -> seen.add("up:" + f));
        t.setRelayer((peer, p) -> relayed.add(new Object[]{peer, p}));
    }

    @Test
    void demultiplexesByFirstByte() {
        InetSocketAddress from = new InetSocketAddress("203.0.113.9", 1);
        socket.receiver.onDatagram(from, new byte[]{0x60, 1});
        socket.receiver.onDatagram(from, new byte[]{(byte) PacketType.PUNCH});
        socket.receiver.onDatagram(from, StunCodec.bindingRequest(new byte[12]));
        socket.receiver.onDatagram(from, new byte[]{0x53});
        socket.receiver.onDatagram(from, new byte[0]);
        assertEquals(List.of("intro", "punch", "stun", "up:" + from), seen);
    }

    @Test
    void knownPeersPublicAddressesAreRoutedAlongTheirPath() {
        NodeId peer = NodeId.random(new Random(2));
        InetSocketAddress pub = new InetSocketAddress("203.0.113.2", 50000);
        List<Object[]> unrouted = new ArrayList<>();
        t.onUnroutedSend((id, a) -> unrouted.add(new Object[]{id, a}));
        t.knowPeer(peer, pub);
        assertEquals(peer, t.peerAt(pub));
        t.send(pub, new byte[]{0x53, 1}); // no route yet: straight out, and the hook hears of it
        net.clock.runFor(Duration.ofMillis(50));
        assertEquals(pub, net.log.get(net.log.size() - 1)[1]);
        assertEquals(peer, unrouted.get(0)[0]);
        t.routeRelay(peer);
        t.send(pub, new byte[]{0x53, 2});
        assertEquals(peer, relayed.get(relayed.size() - 1)[0]);
        int logged = net.log.size();
        t.send(pub, new PunchPacket(PunchPacket.Kind.PROBE, 1, NodeId.random(new Random(3))).encode());
        net.clock.runFor(Duration.ofMillis(50));
        assertEquals(logged + 1, net.log.size(), "punch packets always take the real path");
        InetSocketAddress punched = new InetSocketAddress("203.0.113.2", 61000);
        t.routeDirect(peer, punched);
        t.send(pub, new byte[]{0x53, 3});
        net.clock.runFor(Duration.ofMillis(50));
        assertEquals(punched, net.log.get(net.log.size() - 1)[1], "peer-reflexive address used");
        socket.receiver.onDatagram(punched, new byte[]{0x53, 9});
        assertEquals("up:" + pub, seen.get(seen.size() - 1), "shown as coming from the public address");
        seen.clear();
        // relayed datagrams appear to come from the public address; punch datagrams from the alias
        t.deliverRelayed(peer, new byte[]{0x53, 4});
        t.deliverRelayed(peer, new PunchPacket(PunchPacket.Kind.ACK, 1, peer).encode());
        assertEquals(List.of("up:" + pub, "punch"), seen);
        assertEquals(1, unrouted.size());
    }

    @Test
    void aliasesRelayThenGoDirect() {
        NodeId peer = NodeId.random(new Random(1));
        InetSocketAddress alias = t.aliasFor(peer);
        assertTrue(NatDatagramTransport.isAlias(alias));
        assertFalse(NatDatagramTransport.isAlias(new InetSocketAddress("192.0.2.1", 1)));
        assertEquals(alias, t.aliasFor(peer), "stable");
        t.send(alias, new byte[]{0x53, 7});
        assertEquals(peer, relayed.get(0)[0]);
        t.send(alias, new byte[NatDatagramTransport.MAX_RELAYED_DATAGRAM + 1]);
        assertEquals(1, t.relayDrops(), "would not fit one datagram once wrapped");
        assertEquals(IntroCodec.RELAY_OVERHEAD + NatDatagramTransport.MAX_RELAYED_DATAGRAM, 1200);
        InetSocketAddress direct = new InetSocketAddress("203.0.113.2", 5000);
        t.routeDirect(peer, direct);
        t.send(alias, new byte[]{0x53, 8});
        net.clock.runFor(Duration.ofMillis(50));
        assertEquals(direct, net.log.get(net.log.size() - 1)[1]);
        assertEquals(1, relayed.size());
        // relayed datagrams arrive from the alias; intro or STUN inside a relay are dropped
        t.deliverRelayed(peer, new byte[]{0x53, 9});
        t.deliverRelayed(peer, new byte[]{0x61, 1});
        assertEquals(List.of("up:" + alias), seen);
        assertEquals(2, t.relayDrops());
        // an alias-shaped address nobody created is dropped, never sent
        byte[] ip = alias.getAddress().getAddress();
        ip[15] ^= 1;
        int logged = net.log.size();
        try {
            t.send(new InetSocketAddress(java.net.InetAddress.getByAddress(ip), 1), new byte[]{1});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
        assertEquals(3, t.relayDrops());
        assertEquals(logged, net.log.size());
        byte[] b = new byte[]{0x53};
        t.routeRelay(peer);
        t.send(alias, b);
        assertArrayEquals(b, (byte[]) relayed.get(relayed.size() - 1)[1]);
    }

    @Test
    void anUnansweredHandshakeToAnExpectedPeerIsReportedThenReplayedAlongTheRoute() {
        NodeId peer = NodeId.random(new Random(4));
        InetSocketAddress addr = new InetSocketAddress("203.0.113.4", 4000);
        List<Object[]> unanswered = new ArrayList<>();
        t.onUnansweredHandshake((id, a) -> unanswered.add(new Object[]{id, a}));
        byte[] init = {(byte) PacketType.HANDSHAKE_INIT, 1};
        t.send(addr, init);
        t.send(addr, init);
        assertTrue(unanswered.isEmpty(), "nobody expected at that address");

        t.expect(peer, addr); // the DHT sends to contact (peer, addr)
        t.send(addr, init);
        socket.receiver.onDatagram(addr, new byte[]{0x51, 0}); // an answer: the count starts again
        t.send(addr, init);
        assertTrue(unanswered.isEmpty());
        t.send(addr, new byte[]{0x53, 0}); // session data is no handshake
        assertTrue(unanswered.isEmpty());
        byte[] retry = {(byte) PacketType.HANDSHAKE_INIT, 2};
        t.send(addr, retry); // a second initiation with nothing heard in between
        assertEquals(1, unanswered.size());
        assertEquals(peer, unanswered.get(0)[0]);
        assertEquals(addr, unanswered.get(0)[1]);

        // the NAT layer found a relayed path: the lost initiation goes again, through the relay
        t.knowPeer(peer, addr);
        t.routeRelay(peer);
        t.replayLastHandshake(peer);
        assertArrayEquals(retry, (byte[]) relayed.get(relayed.size() - 1)[1]);
        int n = relayed.size();
        t.replayLastHandshake(peer);
        assertEquals(n, relayed.size(), "replayed once");
        // an address an introduction server named is not "expected": it is routed already
        InetSocketAddress known = new InetSocketAddress("203.0.113.5", 4000);
        t.knowPeer(NodeId.random(new Random(5)), known);
        t.expect(peer, known);
        t.expect(peer, t.aliasFor(peer));
        assertEquals(1, unanswered.size());
    }
}
