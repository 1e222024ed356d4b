package org.p2pdns.node.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.southernstorm.noise.protocol.HandshakeState;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.IdProofOfWork;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.transport.TransportStats.Counter;

class SecureTransportTest {

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final LoopbackDatagramNetwork net = new LoopbackDatagramNetwork(scheduler, Duration.ofMillis(5));
    private final Random random = new Random(1234);
    private final TransportConfig config = TransportConfig.forNetwork(org.p2pdns.node.config.NetworkParams.TEST);

    /** One node on the loopback network, recording what its handler receives. */
    final class Node {
        final NodeIdentity identity;
        final LoopbackDatagramNetwork.Endpoint endpoint;
        final TransportStats stats = new TransportStats();
        final SecureTransport transport;
        final List<Contact> senders = new ArrayList<>();
        final List<String> received = new ArrayList<>();
        BiConsumer<Contact, String> onMessage = (c, m) -> { };

        Node(TransportConfig cfg) {
            this(NodeIdentity.generate(random), cfg);
        }

        Node(NodeIdentity identity, TransportConfig cfg) {
            this.identity = identity;
            this.endpoint = net.endpoint();
            this.transport = new SecureTransport(identity, endpoint, scheduler, random, cfg, stats);
            endpoint.setReceiver(transport);
            transport.setHandler((from, msg) -> {
                String s = new String(msg, StandardCharsets.UTF_8);
                senders.add(from);
                received.add(s);
                onMessage.accept(from, s);
            });
        }

        Contact contact() {
            return identity.contact(endpoint.address);
        }

        void send(Node to, String msg) {
            transport.send(to.contact(), bytes(msg));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void run() {
        scheduler.runFor(Duration.ofMillis(200));
    }

    private List<byte[]> packetsOfType(int type) {
        List<byte[]> out = new ArrayList<>();
        for (LoopbackDatagramNetwork.Sent s : net.log()) {
            if ((s.packet()[0] & 0xff) == type) {
                out.add(s.packet());
            }
        }
        return out;
    }

    private List<Integer> types(List<LoopbackDatagramNetwork.Sent> sent) {
        List<Integer> t = new ArrayList<>();
        for (LoopbackDatagramNetwork.Sent s : sent) {
            t.add(s.packet()[0] & 0xff);
        }
        return t;
    }

    @Test
    void ikCarriesTheFirstMessageAndTheReplyInOneRoundTrip() {
        Node a = new Node(config);
        Node b = new Node(config);
        b.onMessage = (from, m) -> b.transport.send(from, bytes("re:" + m));
        a.send(b, "hello");
        run();
        assertEquals(List.of("hello"), b.received);
        assertEquals(List.of("re:hello"), a.received);
        // both ends authenticated: each handler sees the other's key and address
        assertArrayEquals(a.identity.publicKey(), b.senders.get(0).publicKey());
        assertEquals(a.identity.id(), b.senders.get(0).id());
        assertEquals(a.endpoint.address, b.senders.get(0).address());
        assertArrayEquals(b.identity.publicKey(), a.senders.get(0).publicKey());
        // one round trip: request on the handshake initiation, reply on the response, nothing else
        assertEquals(List.of(PacketType.HANDSHAKE_INIT, PacketType.HANDSHAKE_RESPONSE), types(net.log()));
        assertEquals(1, a.stats.get(Counter.HANDSHAKES_COMPLETED));
        assertEquals(1, b.stats.get(Counter.HANDSHAKES_ACCEPTED));
        // a second later, an empty SESSION_DATA confirms the session to b (nothing else was sent on it)
        scheduler.runFor(Duration.ofSeconds(1));
        assertEquals(List.of(PacketType.HANDSHAKE_INIT, PacketType.HANDSHAKE_RESPONSE, PacketType.SESSION_DATA),
                types(net.log()));
        assertEquals(1, a.stats.get(Counter.KEEPALIVES_SENT));
        assertEquals(1, b.stats.get(Counter.KEEPALIVES_RECEIVED));
        assertEquals(List.of("hello"), b.received);
        net.log().clear();
        // later messages are SESSION_DATA both ways
        a.send(b, "second");
        run();
        assertEquals(List.of("hello", "second"), b.received);
        assertEquals(List.of("re:hello", "re:second"), a.received);
        assertEquals(List.of(PacketType.SESSION_DATA, PacketType.SESSION_DATA), types(net.log()));
        assertEquals(a.transport.session(b.identity.id()).orElseThrow().localIndex(),
                b.transport.session(a.identity.id()).orElseThrow().remoteIndex());
    }

    @Test
    void xxBootstrapLearnsAndAuthenticatesTheUnknownKey() {
        Node a = new Node(config);
        Node b = new Node(config);
        b.onMessage = (from, m) -> b.transport.send(from, bytes("pong"));
        a.transport.sendToAddress(b.endpoint.address, bytes("ping"));
        a.transport.sendToAddress(b.endpoint.address, bytes("ping2"));
        run();
        assertEquals(List.of("ping", "ping2"), b.received);
        assertEquals(List.of("pong", "pong"), a.received);
        assertArrayEquals(b.identity.publicKey(), a.senders.get(0).publicKey());
        assertArrayEquals(a.identity.publicKey(), b.senders.get(0).publicKey());
        List<Integer> t = types(net.log());
        assertEquals(List.of(PacketType.HANDSHAKE_INIT, PacketType.HANDSHAKE_RESPONSE, PacketType.HANDSHAKE_FINISH),
                t.subList(0, 3));
        assertEquals(List.of(PacketType.SESSION_DATA, PacketType.SESSION_DATA, PacketType.SESSION_DATA),
                t.subList(3, t.size()), "ping rides on FINISH; ping2 and the two pongs are session data");
        // with the key now known, sending by contact reuses the session
        a.send(b, "by-key");
        run();
        assertEquals("by-key", b.received.get(2));
        assertEquals(1, a.stats.get(Counter.HANDSHAKES_INITIATED));
    }

    @Test
    void largeFirstMessageFollowsTheHandshake() {
        Node a = new Node(config);
        Node b = new Node(config);
        String big = "x".repeat(MessageTransport.MAX_MESSAGE);
        a.send(b, big);
        run();
        assertEquals(List.of(big), b.received);
        for (LoopbackDatagramNetwork.Sent s : net.log()) {
            // every session packet can also be relayed: wrapped, it still fits one datagram
            assertTrue(s.packet().length <= DatagramTransport.MAX_SESSION_DATAGRAM, "packet of " + s.packet().length);
            assertTrue(s.packet().length <= org.p2pdns.node.nat.NatDatagramTransport.MAX_RELAYED_DATAGRAM);
        }
        assertEquals(List.of(PacketType.HANDSHAKE_INIT, PacketType.HANDSHAKE_RESPONSE, PacketType.SESSION_DATA),
                types(net.log()));
        // the largest message that rides on the initiation does ride on it
        Node c = new Node(config);
        net.log().clear();
        a.send(c, "y".repeat(SecureTransport.MAX_IK_PIGGYBACK));
        run();
        assertEquals(1, c.received.size());
        assertEquals(DatagramTransport.MAX_SESSION_DATAGRAM, net.log().get(0).packet().length);
    }

    @Test
    void oversizedAndEmptyMessagesAreRejected() {
        Node a = new Node(config);
        Node b = new Node(config);
        a.transport.send(b.contact(), new byte[MessageTransport.MAX_MESSAGE + 1]);
        a.transport.send(b.contact(), new byte[0]);
        a.transport.sendToAddress(b.endpoint.address, new byte[MessageTransport.MAX_MESSAGE + 1]);
        a.transport.send(a.contact(), bytes("self"));
        run();
        assertEquals(4, a.stats.get(Counter.INVALID_SEND_DROPPED));
        assertTrue(net.log().isEmpty());
    }

    @Test
    void tamperedPacketsAreDroppedAndCounted() {
        Node a = new Node(config);
        Node b = new Node(config);
        a.send(b, "one");
        run();
        net.setFilter((f, t, p) -> {
            if ((p[0] & 0xff) == PacketType.SESSION_DATA) {
                p[p.length - 3] ^= 0x40;
                net.setFilter((f2, t2, p2) -> p2);
            }
            return p;
        });
        a.send(b, "two");
        a.send(b, "three");
        run();
        assertEquals(List.of("one", "three"), b.received);
        assertEquals(1, b.stats.get(Counter.BAD_MAC));
    }

    @Test
    void tamperedHandshakeFailsThenTheRetryGetsThrough() {
        Node a = new Node(config);
        Node b = new Node(config);
        net.setFilter((f, t, p) -> {
            if ((p[0] & 0xff) == PacketType.HANDSHAKE_INIT) {
                p[40] ^= 1; // inside the encrypted static key
                net.setFilter((f2, t2, p2) -> p2);
            }
            return p;
        });
        a.send(b, "hi");
        scheduler.runFor(Duration.ofSeconds(2));
        assertEquals(1, b.stats.get(Counter.HANDSHAKE_FAILED));
        assertEquals(1, a.stats.get(Counter.HANDSHAKE_RETRANSMITS));
        assertEquals(List.of("hi"), b.received);
    }

    @Test
    void aLateAnswerCompletesTheHandshakeAndTheRetransmittedCopyIsAnsweredFromTheCache() {
        // a path slower than the retransmit interval: 1.2 s each way
        net.setFilter((f, t, p) -> {
            byte[] copy = p.clone();
            scheduler.schedule(Duration.ofMillis(1195), () -> net.inject(f, t, copy));
            return null;
        });
        Node a = new Node(config);
        Node b = new Node(config);
        b.onMessage = (from, m) -> b.transport.send(from, bytes("re:" + m));
        a.send(b, "slow");
        scheduler.runFor(Duration.ofMillis(2500));
        assertEquals(List.of("re:slow"), a.received, "answered by the first response at 2.4 s");
        assertEquals(1, a.stats.get(Counter.HANDSHAKE_RETRANSMITS));
        assertEquals(1, a.stats.get(Counter.HANDSHAKES_COMPLETED));
        // the retransmission was the same packet: b answered it from its cache, without a second handshake, a
        // second session or a second delivery of "slow"
        List<byte[]> inits = packetsOfType(PacketType.HANDSHAKE_INIT);
        assertEquals(2, inits.size());
        assertArrayEquals(inits.get(0), inits.get(1));
        List<byte[]> responses = packetsOfType(PacketType.HANDSHAKE_RESPONSE);
        assertEquals(2, responses.size());
        assertArrayEquals(responses.get(0), responses.get(1));
        assertEquals(1, b.stats.get(Counter.HANDSHAKES_ACCEPTED));
        assertEquals(1, b.stats.get(Counter.HANDSHAKE_RESPONSES_RESENT));
        assertEquals(List.of("slow"), b.received);
        a.send(b, "next");
        scheduler.runFor(Duration.ofMillis(2500));
        assertEquals(List.of("re:slow", "re:next"), a.received);
        assertEquals(0, b.stats.get(Counter.HANDSHAKES_INITIATED));
        assertEquals(0, a.stats.get(Counter.UNKNOWN_SESSION));
        scheduler.runFor(Duration.ofSeconds(10));
        // the copy of the response reached a after the handshake completed: recognised and dropped
        assertEquals(1, a.stats.get(Counter.DUPLICATE_RESPONSES_DROPPED));
        assertEquals(0, a.stats.get(Counter.HANDSHAKE_UNKNOWN) + a.stats.get(Counter.HANDSHAKE_TIMEOUTS));
        assertEquals(1, a.stats.get(Counter.SESSIONS_ESTABLISHED));
        assertEquals(1, b.stats.get(Counter.SESSIONS_ESTABLISHED));
        assertEquals(List.of("re:slow", "re:next"), a.received);
        assertEquals(List.of("slow", "next"), b.received);
    }

    @Test
    void everyRetransmissionAnsweredLateCostsTheResponderOneHandshake() {
        // 2.5 s each way: b gets all three copies of the INIT and does the Diffie-Hellman work once
        net.setFilter((f, t, p) -> {
            byte[] copy = p.clone();
            scheduler.schedule(Duration.ofMillis(2495), () -> net.inject(f, t, copy));
            return null;
        });
        Node a = new Node(config);
        Node b = new Node(config);
        b.onMessage = (from, m) -> b.transport.send(from, bytes("re:" + m));
        a.send(b, "slow");
        scheduler.runFor(Duration.ofMillis(5100));
        assertEquals(List.of("re:slow"), a.received);
        a.send(b, "next");
        scheduler.runFor(Duration.ofSeconds(20));
        assertEquals(2, a.stats.get(Counter.HANDSHAKE_RETRANSMITS));
        assertEquals(1, b.stats.get(Counter.HANDSHAKES_ACCEPTED));
        assertEquals(2, b.stats.get(Counter.HANDSHAKE_RESPONSES_RESENT));
        assertEquals(List.of("re:slow", "re:next"), a.received);
        assertEquals(List.of("slow", "next"), b.received);
        assertEquals(0, a.stats.get(Counter.UNKNOWN_SESSION) + b.stats.get(Counter.UNKNOWN_SESSION));
        assertEquals(0, a.stats.get(Counter.HANDSHAKE_TIMEOUTS));
        assertEquals(2, a.stats.get(Counter.DUPLICATE_RESPONSES_DROPPED));
    }

    @Test
    void aCopyOfAnAnsweredInitiationIsAnsweredFromTheCacheOnlyWhileUnconfirmedBoundedAndToItsSource() {
        Node a = new Node(config);
        Node b = new Node(config);
        b.onMessage = (from, m) -> b.transport.send(from, bytes("re:" + m));
        a.send(b, "once");
        run();
        byte[] init = net.log().get(0).packet();
        byte[] response = net.log().get(1).packet();
        net.log().clear();
        // before a confirms the session: the same response again, twice at most (a sends at most two copies)
        for (int i = 0; i < 3; i++) {
            net.inject(a.endpoint.address, b.endpoint.address, init);
        }
        run();
        List<byte[]> resent = packetsOfType(PacketType.HANDSHAKE_RESPONSE);
        assertEquals(2, resent.size());
        assertArrayEquals(response, resent.get(0));
        assertArrayEquals(response, resent.get(1));
        assertEquals(2, b.stats.get(Counter.HANDSHAKE_RESPONSES_RESENT));
        assertEquals(3, b.stats.get(Counter.HANDSHAKE_REPLAYED));
        // a never retransmitted, so it expects no copy: the answers to the injected ones are unknown to it
        assertEquals(2, a.stats.get(Counter.HANDSHAKE_UNKNOWN));
        // from another address: not answered (no reflection), and no work done
        net.log().clear();
        Node c = new Node(config);
        net.inject(c.endpoint.address, b.endpoint.address, init);
        run();
        assertTrue(packetsOfType(PacketType.HANDSHAKE_RESPONSE).isEmpty());
        assertEquals(4, b.stats.get(Counter.HANDSHAKE_REPLAYED));
        // nothing of it reached b's handler again, and only one session exists
        assertEquals(List.of("once"), b.received);
        assertEquals(1, b.stats.get(Counter.HANDSHAKES_ACCEPTED));
        assertEquals(1, b.transport.sessionCount());
        assertEquals(0, b.stats.get(Counter.HANDSHAKE_FAILED) + b.stats.get(Counter.INTERNAL_ERRORS));
    }

    @Test
    void aCopyAfterConfirmationIsRefusedWithoutADiffieHellman() {
        Node a = new Node(config);
        Node b = new Node(config);
        a.send(b, "once");
        scheduler.runFor(Duration.ofSeconds(2)); // a's keepalive confirms the session to b
        byte[] init = net.log().get(0).packet();
        net.log().clear();
        net.inject(a.endpoint.address, b.endpoint.address, init);
        run();
        assertTrue(packetsOfType(PacketType.HANDSHAKE_RESPONSE).isEmpty());
        assertEquals(1, b.stats.get(Counter.HANDSHAKE_REPLAYED));
        assertEquals(0, b.stats.get(Counter.HANDSHAKE_RESPONSES_RESENT));
        // and once the cache has forgotten it (one handshake lifetime), the timestamp still refuses it
        scheduler.runFor(config.handshakeLifetime());
        net.inject(a.endpoint.address, b.endpoint.address, init);
        run();
        assertEquals(2, b.stats.get(Counter.HANDSHAKE_REPLAYED));
        assertEquals(List.of("once"), b.received);
        assertEquals(1, b.transport.sessionCount());
    }

    @Test
    void aCopyOfAnAnsweredInitiationDoesNoDiffieHellman() {
        // counted by X25519 agreement: a copy answered from the cache costs none, a fresh initiation four
        Node a = new Node(config);
        Node b = new Node(config);
        a.send(b, "once");
        run();
        byte[] init = net.log().get(0).packet();
        // es, ss to read the initiation; ee, se to write the response
        assertEquals(4, b.stats.get(Counter.KEY_AGREEMENTS));
        assertEquals(4, a.stats.get(Counter.KEY_AGREEMENTS));
        net.inject(a.endpoint.address, b.endpoint.address, init);
        run();
        assertEquals(1, b.stats.get(Counter.HANDSHAKE_RESPONSES_RESENT));
        assertEquals(4, b.stats.get(Counter.KEY_AGREEMENTS));
    }

    @Test
    void xxRetransmissionIsAnsweredFromTheCache() {
        // the XX RESPONSE is lost once: the retransmitted INIT gets the same RESPONSE, and the handshake completes
        Node a = new Node(config);
        Node b = new Node(config);
        b.onMessage = (from, m) -> b.transport.send(from, bytes("pong"));
        boolean[] dropped = {false};
        net.setFilter((f, t, p) -> {
            if ((p[0] & 0xff) == PacketType.HANDSHAKE_RESPONSE && !dropped[0]) {
                dropped[0] = true;
                return null;
            }
            return p;
        });
        a.transport.sendToAddress(b.endpoint.address, bytes("ping"));
        scheduler.runFor(Duration.ofSeconds(2));
        assertEquals(List.of("pong"), a.received);
        assertEquals(1, a.stats.get(Counter.HANDSHAKE_RETRANSMITS));
        assertEquals(1, b.stats.get(Counter.HANDSHAKE_RESPONSES_RESENT));
        assertEquals(1, b.stats.get(Counter.HANDSHAKES_ACCEPTED));
        List<byte[]> inits = packetsOfType(PacketType.HANDSHAKE_INIT);
        assertArrayEquals(inits.get(0), inits.get(1));
    }

    @Test
    void aForgedResponseSpendsTheStateAndTheRetransmissionStartsAFreshHandshake() {
        Node a = new Node(config);
        Node b = new Node(config);
        b.onMessage = (from, m) -> b.transport.send(from, bytes("re:" + m));
        net.setFilter((f, t, p) -> {
            if ((p[0] & 0xff) == PacketType.HANDSHAKE_RESPONSE) {
                p[p.length - 1] ^= 1; // the tag of the response payload
                net.setFilter((f2, t2, p2) -> p2);
            }
            return p;
        });
        a.send(b, "hi");
        scheduler.runFor(Duration.ofSeconds(2));
        assertEquals(1, a.stats.get(Counter.HANDSHAKE_FAILED));
        assertEquals(1, a.stats.get(Counter.HANDSHAKE_RETRANSMITS));
        List<byte[]> inits = packetsOfType(PacketType.HANDSHAKE_INIT);
        assertEquals(2, inits.size());
        assertNotEquals(Arrays.toString(inits.get(0)), Arrays.toString(inits.get(1)), "a new ephemeral key");
        assertEquals(List.of("re:hi"), a.received);
        assertEquals(1, a.stats.get(Counter.HANDSHAKES_COMPLETED));
        assertEquals(2, b.stats.get(Counter.HANDSHAKES_ACCEPTED));
    }

    @Test
    void retransmissionsBackOffExponentiallyAndStopAtTheBound() {
        Node a = new Node(config);
        Node b = new Node(config);
        List<Long> sentAt = new ArrayList<>();
        net.setFilter((f, t, p) -> {
            if ((p[0] & 0xff) == PacketType.HANDSHAKE_INIT) {
                sentAt.add(scheduler.nowMillis());
            }
            return null; // b never hears anything
        });
        long t0 = scheduler.nowMillis();
        a.send(b, "void");
        scheduler.runFor(Duration.ofSeconds(30));
        // 1 s, then 2 s more; the handshake fails at retransmit x (2^attempts - 1) = 7 s
        assertEquals(List.of(t0, t0 + 1000, t0 + 3000), sentAt);
        assertEquals(2, a.stats.get(Counter.HANDSHAKE_RETRANSMITS));
        assertEquals(1, a.stats.get(Counter.HANDSHAKE_TIMEOUTS));
        assertEquals(1, a.stats.get(Counter.QUEUED_MESSAGES_DROPPED));
        assertEquals(0, a.transport.pendingHandshakes());
        // a longer bound and interval follow the same schedule
        Node c = new Node(config.withHandshakeRetry(Duration.ofMillis(500), 5));
        sentAt.clear();
        long t1 = scheduler.nowMillis();
        c.send(b, "void");
        scheduler.runFor(Duration.ofSeconds(30));
        assertEquals(List.of(t1, t1 + 500, t1 + 1500, t1 + 3500, t1 + 7500), sentAt);
        assertEquals(1, c.stats.get(Counter.HANDSHAKE_TIMEOUTS));
    }

    @Test
    void replayedSessionPacketIsDroppedAndCounted() {
        Node a = new Node(config);
        Node b = new Node(config);
        a.send(b, "one");
        run();
        List<byte[]> captured = new ArrayList<>();
        net.setFilter((f, t, p) -> {
            captured.add(p.clone());
            return p;
        });
        a.send(b, "two");
        run();
        net.inject(a.endpoint.address, b.endpoint.address, captured.get(0));
        run();
        assertEquals(List.of("one", "two"), b.received);
        assertEquals(1, b.stats.get(Counter.REPLAYED));
    }

    @Test
    void replayedHandshakeInitiationIsRefused() {
        Node a = new Node(config);
        Node b = new Node(config);
        a.send(b, "once");
        run();
        byte[] init = net.log().get(0).packet();
        net.inject(a.endpoint.address, b.endpoint.address, init);
        run();
        assertEquals(List.of("once"), b.received);
        assertEquals(1, b.stats.get(Counter.HANDSHAKE_REPLAYED));
        assertEquals(1, b.transport.peerCount());
    }

    @Test
    void wrongKeyHandshakeFailsAndIsCounted() {
        Node a = new Node(config);
        Node b = new Node(config);
        NodeIdentity impostor = NodeIdentity.generate(random);
        // a contact that claims B's address with a key B does not hold
        a.transport.send(impostor.contact(b.endpoint.address), bytes("secret"));
        a.transport.send(impostor.contact(b.endpoint.address), bytes("queued"));
        scheduler.runFor(Duration.ofSeconds(10));
        assertTrue(b.received.isEmpty());
        assertEquals(config.handshakeAttempts(), b.stats.get(Counter.HANDSHAKE_FAILED));
        assertEquals(1, a.stats.get(Counter.HANDSHAKE_TIMEOUTS));
        assertEquals(2, a.stats.get(Counter.QUEUED_MESSAGES_DROPPED));
        assertEquals(0, a.transport.pendingHandshakes());
    }

    @Test
    void payloadKeyThatDoesNotMatchTheNoiseStaticKeyIsRefused() throws Exception {
        Node b = new Node(config);
        NodeIdentity attacker = NodeIdentity.generate(random);
        NodeIdentity victim = NodeIdentity.generate(random);
        // a valid IK initiation made with the attacker's static key, claiming the victim's Ed25519 key
        byte[] header = {(byte) PacketType.HANDSHAKE_INIT, NoiseWire.VERSION, NoiseWire.PATTERN_IK,
            0, 0, 0, 7};
        HandshakeState hs = new HandshakeState(NoiseWire.IK_PROTOCOL, HandshakeState.INITIATOR);
        hs.getLocalKeyPair().setPrivateKey(attacker.x25519PrivateKey(), 0);
        hs.getRemotePublicKey().setPublicKey(b.identity.x25519PublicKey(), 0);
        byte[] prologue = new byte[NoiseWire.PROLOGUE.length + header.length];
        System.arraycopy(NoiseWire.PROLOGUE, 0, prologue, 0, NoiseWire.PROLOGUE.length);
        System.arraycopy(header, 0, prologue, NoiseWire.PROLOGUE.length, header.length);
        hs.setPrologue(prologue, 0, prologue.length);
        hs.start();
        byte[] payload = new byte[32 + 8 + 3];
        System.arraycopy(victim.publicKey(), 0, payload, 0, 32);
        payload[39] = 1;
        byte[] out = new byte[1200];
        System.arraycopy(header, 0, out, 0, header.length);
        int n = hs.writeMessage(out, header.length, payload, 0, payload.length);
        net.inject(new InetSocketAddress("10.9.9.9", 1), b.endpoint.address, Arrays.copyOf(out, header.length + n));
        run();
        assertEquals(1, b.stats.get(Counter.HANDSHAKE_KEY_MISMATCH));
        assertTrue(b.received.isEmpty());
        assertEquals(0, b.transport.peerCount());
    }

    @Test
    void unknownSessionAndMalformedPacketsAreCounted() {
        Node b = new Node(config);
        InetSocketAddress x = new InetSocketAddress("10.9.9.9", 1);
        byte[] data = new byte[60];
        data[0] = (byte) PacketType.SESSION_DATA;
        data[4] = 9;
        net.inject(x, b.endpoint.address, data);
        net.inject(x, b.endpoint.address, new byte[] {(byte) PacketType.SESSION_DATA, 1, 2});
        byte[] badVersion = new byte[200];
        badVersion[0] = (byte) PacketType.HANDSHAKE_INIT;
        badVersion[1] = 9;
        net.inject(x, b.endpoint.address, badVersion);
        byte[] response = new byte[100];
        response[0] = (byte) PacketType.HANDSHAKE_RESPONSE;
        response[1] = NoiseWire.VERSION;
        net.inject(x, b.endpoint.address, response);
        run();
        assertEquals(1, b.stats.get(Counter.UNKNOWN_SESSION));
        assertEquals(1, b.stats.get(Counter.MALFORMED));
        assertEquals(1, b.stats.get(Counter.BAD_VERSION));
        assertEquals(1, b.stats.get(Counter.HANDSHAKE_UNKNOWN));
    }

    @Test
    void randomDatagramsNeverThrowAndTheNodeKeepsWorking() {
        Node a = new Node(config.withHandshakeRate(1e6, 1_000_000));
        Node b = new Node(config.withHandshakeRate(1e6, 1_000_000));
        a.send(b, "before");
        run();
        Random r = new Random(99);
        InetSocketAddress x = new InetSocketAddress("10.9.9.9", 1);
        for (int i = 0; i < 5000; i++) {
            byte[] p = new byte[r.nextInt(1300)];
            r.nextBytes(p);
            if (p.length > 0 && r.nextBoolean()) {
                p[0] = (byte) (PacketType.HANDSHAKE_INIT + r.nextInt(4));
                if (p.length > 2 && r.nextBoolean()) {
                    p[1] = NoiseWire.VERSION;
                    p[2] = (byte) (1 + r.nextInt(2));
                }
            }
            b.transport.onDatagram(x, p);
        }
        // a pending XX handshake from the noise may exist; that is fine. Nothing threw, nothing was delivered
        assertEquals(0, b.stats.get(Counter.INTERNAL_ERRORS));
        assertEquals(List.of("before"), b.received);
        a.send(b, "after");
        run();
        assertEquals(List.of("before", "after"), b.received);
        assertEquals(0, b.stats.get(Counter.INTERNAL_ERRORS));
    }

    @Test
    void randomBodiesBehindValidHeadersAreRefusedAndCounted() {
        Node a = new Node(config);
        Node b = new Node(config.withHandshakeRate(1e6, 1_000_000));
        a.send(b, "before");
        run();
        int sessionIndex = b.transport.session(a.identity.id()).orElseThrow().localIndex();
        // leave an XX handshake of b's waiting for its FINISH
        Node c = new Node(config);
        net.setFilter((f, t, p) -> t.equals(c.endpoint.address) || f.equals(c.endpoint.address) ? null : p);
        c.transport.sendToAddress(b.endpoint.address, bytes("x"));
        byte[] xxInit = net.log().get(net.log().size() - 1).packet();
        net.setFilter((f, t, p) -> p);
        b.transport.onDatagram(c.endpoint.address, xxInit);
        byte[] xxResponse = net.log().get(net.log().size() - 1).packet();
        int pendingIndex = NoiseWire.getInt(xxResponse, 2);
        Random r = new Random(7);
        long macBefore = b.stats.get(Counter.BAD_MAC);
        for (int i = 0; i < 1500; i++) {
            byte[] p = new byte[30 + r.nextInt(1170)];
            r.nextBytes(p);
            switch (i % 3) {
                case 0 -> {
                    p[0] = (byte) PacketType.SESSION_DATA;
                    NoiseWire.putInt(p, 1, sessionIndex);
                    NoiseWire.putLong(p, 5, 100 + i);
                }
                case 1 -> {
                    p = Arrays.copyOf(p, Math.max(p.length, 102));
                    p[0] = (byte) PacketType.HANDSHAKE_FINISH;
                    p[1] = NoiseWire.VERSION;
                    NoiseWire.putInt(p, 2, pendingIndex);
                }
                default -> {
                    p = Arrays.copyOf(p, Math.max(p.length, 143));
                    p[0] = (byte) PacketType.HANDSHAKE_INIT;
                    p[1] = NoiseWire.VERSION;
                    p[2] = NoiseWire.PATTERN_IK;
                }
            }
            b.transport.onDatagram(a.endpoint.address, p);
            if (i % 3 == 1) {
                // a failed FINISH spends the pending handshake; make a new one
                b.transport.onDatagram(c.endpoint.address, xxInit);
                pendingIndex = NoiseWire.getInt(net.log().get(net.log().size() - 1).packet(), 2);
            }
        }
        assertEquals(500, b.stats.get(Counter.BAD_MAC) - macBefore);
        assertTrue(b.stats.get(Counter.HANDSHAKE_FAILED) >= 1000, b.stats.toString());
        assertEquals(0, b.stats.get(Counter.INTERNAL_ERRORS));
        assertEquals(List.of("before"), b.received);
        a.send(b, "after");
        run();
        assertEquals(List.of("before", "after"), b.received);
    }

    @Test
    void expiredSessionIsDiscardedAndTheNextSendRehandshakesTransparently() {
        Node a = new Node(config);
        Node b = new Node(config);
        a.send(b, "one");
        run();
        scheduler.runFor(config.rejectAfter().plusSeconds(60));
        assertEquals(0, a.transport.sessionCount());
        assertEquals(0, b.transport.sessionCount());
        assertTrue(a.stats.get(Counter.SESSIONS_EXPIRED) >= 1);
        a.send(b, "two");
        run();
        assertEquals(List.of("one", "two"), b.received);
        assertEquals(2, a.stats.get(Counter.HANDSHAKES_INITIATED));
    }

    @Test
    void packetForASessionPastRejectAfterIsRefused() {
        TransportConfig noSweep = config.withIdleTimeout(Duration.ofHours(1));
        Node a = new Node(noSweep);
        Node b = new Node(noSweep);
        a.send(b, "one");
        run();
        List<byte[]> captured = new ArrayList<>();
        net.setFilter((f, t, p) -> {
            captured.add(p);
            return null;
        });
        a.send(b, "two");
        run();
        net.setFilter((f, t, p) -> p);
        // deliver the captured packet after the session's reject-after age; the sweep only runs every 45 s
        scheduler.runFor(noSweep.rejectAfter().minusMillis(300));
        net.inject(a.endpoint.address, b.endpoint.address, captured.get(0));
        scheduler.runFor(Duration.ofMillis(400));
        assertEquals(List.of("one"), b.received);
        assertEquals(1, b.stats.get(Counter.EXPIRED_SESSION) + b.stats.get(Counter.UNKNOWN_SESSION));
    }

    @Test
    void oldSessionIsRekeyedWhileTrafficContinues() {
        Node a = new Node(config);
        Node b = new Node(config);
        a.send(b, "one");
        run();
        int before = a.transport.session(b.identity.id()).orElseThrow().localIndex();
        scheduler.runFor(config.rekeyAfter().plusSeconds(1));
        b.onMessage = (from, m) -> b.transport.send(from, bytes("ack"));
        a.send(b, "two");
        run();
        assertEquals(1, a.stats.get(Counter.REKEYS));
        assertEquals(List.of("one", "two"), b.received);
        int after = a.transport.session(b.identity.id()).orElseThrow().localIndex();
        assertNotEquals(before, after);
        a.send(b, "three");
        run();
        assertEquals(List.of("one", "two", "three"), b.received);
        assertEquals(List.of("ack", "ack"), a.received);
    }

    @Test
    void rekeyAfterManyMessages() {
        TransportConfig few = config.withRekeyAfterMessages(5);
        Node a = new Node(few);
        Node b = new Node(few);
        for (int i = 0; i < 8; i++) {
            a.send(b, "m" + i);
            run();
        }
        assertEquals(8, b.received.size());
        assertEquals(1, a.stats.get(Counter.REKEYS));
        assertTrue(a.transport.session(b.identity.id()).orElseThrow().messagesSent() < 5);
    }

    @Test
    void simultaneousHandshakesConvergeOnTheSameSession() {
        Node a = new Node(config);
        Node b = new Node(config);
        a.send(b, "from-a");
        b.send(a, "from-b");
        run();
        assertEquals(List.of("from-a"), b.received);
        assertEquals(List.of("from-b"), a.received);
        SessionInfo sa = a.transport.session(b.identity.id()).orElseThrow();
        SessionInfo sb = b.transport.session(a.identity.id()).orElseThrow();
        assertEquals(sa.localIndex(), sb.remoteIndex());
        assertEquals(sb.localIndex(), sa.remoteIndex());
        boolean aIsLower = a.identity.id().compareTo(b.identity.id()) < 0;
        assertEquals(aIsLower, sa.initiatedByUs());
        for (int i = 0; i < 3; i++) {
            a.send(b, "a" + i);
            b.send(a, "b" + i);
        }
        run();
        assertEquals(4, b.received.size());
        assertEquals(4, a.received.size());
        assertEquals(0, a.stats.get(Counter.UNKNOWN_SESSION) + b.stats.get(Counter.UNKNOWN_SESSION));
    }

    @Test
    void peerThatRestartsRightAfterAHandshakeIsFollowedToItsNewSession() {
        NodeIdentity x = NodeIdentity.generate(random);
        NodeIdentity y = NodeIdentity.generate(random);
        boolean xLower = x.id().compareTo(y.id()) < 0;
        Node a = new Node(xLower ? x : y, config);   // the lower id: the tie-break favours its sessions
        Node b = new Node(xLower ? y : x, config);
        a.send(b, "one");
        run();
        // b restarts on the same address with the same key, within one handshake lifetime, and talks first
        SecureTransport restarted = new SecureTransport(b.identity, b.endpoint, scheduler, random, config,
                new TransportStats());
        List<String> got = new ArrayList<>();
        restarted.setHandler((from, m) -> got.add(new String(m, StandardCharsets.UTF_8)));
        b.endpoint.setReceiver(restarted);
        a.onMessage = (from, m) -> a.transport.send(from, bytes("ack-" + m));
        restarted.send(a.contact(), bytes("r1"));
        run();
        restarted.send(a.contact(), bytes("r2"));
        run();
        a.send(b, "from-a");
        run();
        assertEquals(List.of("ack-r1", "ack-r2", "from-a"), got);
    }

    @Test
    void halfOpenSessionsAreNotUsedPastOneHandshakeLifetime() {
        Node a = new Node(config);
        Node b = new Node(config);
        // every handshake response from b to a is lost: b holds sessions a never got
        net.setFilter((f, t, p) -> (p[0] & 0xff) == PacketType.HANDSHAKE_RESPONSE ? null : p);
        a.send(b, "lost-replies");
        scheduler.runFor(config.handshakeLifetime().multipliedBy(2));
        assertEquals(1, a.stats.get(Counter.HANDSHAKE_TIMEOUTS));
        assertTrue(b.transport.session(a.identity.id()).isPresent());
        net.setFilter((f, t, p) -> p);
        // b now talks to a: its unconfirmed session is presumed half-open, so b opens a new one
        b.send(a, "from-b");
        run();
        assertEquals(List.of("from-b"), a.received);
        assertEquals(0, a.stats.get(Counter.UNKNOWN_SESSION));

        // XX: the FINISH is lost, so the initiator's session is half-open; its next send re-handshakes with IK
        Node c = new Node(config);
        net.setFilter((f, t, p) -> (p[0] & 0xff) == PacketType.HANDSHAKE_FINISH ? null : p);
        c.transport.sendToAddress(b.endpoint.address, bytes("boot"));
        run();
        net.setFilter((f, t, p) -> p);
        scheduler.runFor(config.handshakeLifetime().plusSeconds(1));
        c.send(b, "again");
        run();
        // b delivered "lost-replies" once: the two retransmitted copies were answered from its cache
        assertEquals(List.of("lost-replies", "again"), b.received);
        assertEquals(2, b.stats.get(Counter.HANDSHAKE_RESPONSES_RESENT));
    }

    @Test
    void unansweredSessionToARestartedPeerIsReplacedByANewHandshake() {
        Node a = new Node(config);
        Node b = new Node(config);
        b.onMessage = (from, m) -> b.transport.send(from, bytes("ack-" + m));
        a.send(b, "one");
        scheduler.runFor(config.handshakeLifetime().plusSeconds(3));
        assertEquals(List.of("ack-one"), a.received);
        // b restarts (same key, same address) and has lost every session
        SecureTransport restarted = new SecureTransport(b.identity, b.endpoint, scheduler, random, config,
                new TransportStats());
        List<String> got = new ArrayList<>();
        restarted.setHandler((from, m) -> got.add(new String(m, StandardCharsets.UTF_8)));
        b.endpoint.setReceiver(restarted);
        a.send(b, "lost");               // into the dead session: no answer
        run();
        assertEquals(List.of(), got);
        scheduler.runFor(config.handshakeLifetime().plusSeconds(1));
        a.send(b, "found");              // unanswered for a handshake lifetime: sent with a new handshake
        run();
        assertEquals(List.of("found"), got);
        assertEquals(1, a.stats.get(Counter.STALE_REHANDSHAKES));
    }

    @Test
    void repliesAfterSilenceDoNotTriggerRehandshakes() {
        Node a = new Node(config);
        Node b = new Node(config);
        b.onMessage = (from, m) -> b.transport.send(from, bytes("re"));
        for (int i = 0; i < 5; i++) {
            a.send(b, "q" + i);
            scheduler.runFor(Duration.ofSeconds(20));
        }
        b.send(a, "b-asks");
        a.send(b, "last");
        run();
        assertEquals(6, b.received.size());
        assertEquals(0, a.stats.get(Counter.STALE_REHANDSHAKES) + b.stats.get(Counter.STALE_REHANDSHAKES));
        assertEquals(1, a.stats.get(Counter.HANDSHAKES_INITIATED) + b.stats.get(Counter.HANDSHAKES_INITIATED));
    }

    @Test
    void sessionFollowsTheAddressAuthenticatedPacketsComeFrom() {
        Node a = new Node(config);
        Node b = new Node(config);
        a.send(b, "one");
        run();
        InetSocketAddress rebound = new InetSocketAddress("10.0.0.200", 5555);
        LoopbackDatagramNetwork.Endpoint aNew = net.endpoint(rebound);
        aNew.setReceiver(a.transport);
        List<byte[]> captured = new ArrayList<>();
        net.setFilter((f, t, p) -> {
            captured.add(p);
            return null;
        });
        a.send(b, "two");
        run();
        net.setFilter((f, t, p) -> p);
        net.inject(rebound, b.endpoint.address, captured.get(0)); // as if a NAT remapped A's port
        b.onMessage = (from, m) -> b.transport.send(from, bytes("ack"));
        run();
        assertEquals(List.of("one", "two"), b.received);
        assertEquals(rebound, b.senders.get(1).address());
        assertEquals(1, b.stats.get(Counter.ROAMED));
        assertEquals(rebound, b.transport.session(a.identity.id()).orElseThrow().address());
        assertEquals(List.of("ack"), a.received, "the reply went to the new address");
        // a forged packet from elsewhere moves nothing
        byte[] forged = captured.get(0).clone();
        forged[forged.length - 1] ^= 1;
        net.inject(new InetSocketAddress("10.6.6.6", 1), b.endpoint.address, forged);
        run();
        assertEquals(rebound, b.transport.session(a.identity.id()).orElseThrow().address());
    }

    @Test
    void handshakeInitiationsAreRateLimitedPerSourceIp() {
        Node b = new Node(config.withHandshakeRate(1, 2));
        Node a = new Node(config);
        a.transport.sendToAddress(b.endpoint.address, bytes("x"));
        run();
        byte[] init = net.log().get(0).packet();
        for (int i = 0; i < 4; i++) {
            net.inject(a.endpoint.address, b.endpoint.address, init);
        }
        run();
        assertEquals(3, b.stats.get(Counter.HANDSHAKE_RATE_LIMITED));
        scheduler.runFor(Duration.ofSeconds(2));
        net.inject(a.endpoint.address, b.endpoint.address, init);
        run();
        assertEquals(3, b.stats.get(Counter.HANDSHAKE_RATE_LIMITED), "tokens refill with time");
    }

    @Test
    void peersWithoutTheIdProofOfWorkAreDropped() {
        TransportConfig strict = config.withDifficulty(8);
        NodeIdentity weak;
        do {
            weak = NodeIdentity.generate(random);
        } while (IdProofOfWork.workBits(weak.id()) >= 8);
        Node a = new Node(weak, config);
        Node b = new Node(IdProofOfWork.generate(random, 8, IdProofOfWork.Progress.NONE), strict);
        a.send(b, "hi");
        a.transport.sendToAddress(b.endpoint.address, bytes("boot"));
        scheduler.runFor(Duration.ofSeconds(5));
        assertTrue(b.received.isEmpty());
        // every IK attempt, and the XX finish, is refused
        assertEquals(config.handshakeAttempts() + 1, b.stats.get(Counter.WEAK_ID_DROPPED));
        assertEquals(0, b.transport.peerCount());
        // and a strict node will not open a session to a weak contact
        b.transport.send(a.contact(), bytes("no"));
        run();
        assertEquals(config.handshakeAttempts() + 2, b.stats.get(Counter.WEAK_ID_DROPPED));
        assertTrue(a.received.isEmpty());
    }

    @Test
    void sessionAndPendingLimitsEvictAndCount() {
        TransportConfig small = config.withLimits(2, 2, 2);
        Node a = new Node(small);
        Node b = new Node(config);
        Node c = new Node(config);
        Node d = new Node(config);
        a.send(b, "1");
        a.send(c, "2");
        run();
        a.send(d, "3");
        run();
        assertEquals(1, a.stats.get(Counter.SESSIONS_EVICTED));
        assertEquals(2, a.transport.peerCount());
        assertTrue(a.transport.session(b.identity.id()).isEmpty(), "least recently used peer evicted");
        // pending handshakes to peers that never answer: the oldest is evicted, its message counted
        net.setFilter((f, t, p) -> null);
        for (int i = 0; i < 3; i++) {
            a.transport.send(NodeIdentity.generate(random).contact(new InetSocketAddress("10.1.1." + i, 1)),
                    bytes("p"));
        }
        assertEquals(1, a.stats.get(Counter.PENDING_EVICTED));
        assertEquals(2, a.transport.pendingHandshakes());
        // the per-handshake queue is bounded too: piggyback + 2 queued, the rest dropped
        Contact silent = NodeIdentity.generate(random).contact(new InetSocketAddress("10.1.2.1", 1));
        long before = a.stats.get(Counter.QUEUED_MESSAGES_DROPPED);
        for (int i = 0; i < 5; i++) {
            a.transport.send(silent, bytes("q" + i));
        }
        assertEquals(2, a.stats.get(Counter.QUEUED_MESSAGES_DROPPED) - before - 1, "2 overflowed, 1 evicted");
    }

    @Test
    void handlerExceptionsAreContained() {
        Node a = new Node(config);
        Node b = new Node(config);
        b.onMessage = (from, m) -> {
            throw new IllegalStateException("boom");
        };
        a.send(b, "one");
        run();
        a.send(b, "two");
        run();
        assertEquals(List.of("one", "two"), b.received);
        assertEquals(2, b.stats.get(Counter.HANDLER_ERRORS));
        assertEquals(0, b.stats.get(Counter.INTERNAL_ERRORS));
    }

    @Test
    void noStuckStateAfterLossyTraffic() {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            nodes.add(new Node(config));
        }
        Random loss = new Random(11);
        net.setFilter((f, t, p) -> loss.nextInt(100) < 20 ? null : p);
        Random pick = new Random(12);
        for (int i = 0; i < 400; i++) {
            Node from = nodes.get(pick.nextInt(5));
            Node to = nodes.get(pick.nextInt(5));
            if (from != to) {
                if (pick.nextInt(4) == 0) {
                    from.transport.sendToAddress(to.endpoint.address, bytes("lossy"));
                } else {
                    from.send(to, "lossy");
                }
            }
            scheduler.runFor(Duration.ofMillis(pick.nextInt(300)));
        }
        net.setFilter((f, t, p) -> p);
        scheduler.runFor(Duration.ofSeconds(1));
        for (Node n : nodes) {
            n.received.clear();
        }
        // with the loss gone, every ordered pair gets through at the first try: nobody sends into a dead session
        for (Node from : nodes) {
            for (Node to : nodes) {
                if (from != to) {
                    from.send(to, "clean");
                }
            }
        }
        run();
        for (Node n : nodes) {
            assertEquals(4, n.received.size(), n.stats.toString());
            assertEquals(0, n.stats.get(Counter.INTERNAL_ERRORS));
        }
    }

    @Test
    void sameSeedSameTrace() {
        assertEquals(trace(), trace());
    }

    private List<String> trace() {
        VirtualScheduler s = new VirtualScheduler();
        LoopbackDatagramNetwork n = new LoopbackDatagramNetwork(s, Duration.ofMillis(3));
        Random r = new Random(5);
        List<String> events = new ArrayList<>();
        List<SecureTransport> ts = new ArrayList<>();
        List<Contact> contacts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            NodeIdentity id = NodeIdentity.generate(r);
            LoopbackDatagramNetwork.Endpoint e = n.endpoint();
            SecureTransport t = new SecureTransport(id, e, s, r, config, new TransportStats());
            e.setReceiver(t);
            int me = i;
            t.setHandler((from, m) -> events.add(s.nowMillis() + " " + me + "<" + from.id().shortHex() + " "
                    + new String(m, StandardCharsets.UTF_8)));
            ts.add(t);
            contacts.add(id.contact(e.address));
        }
        for (int i = 0; i < 20; i++) {
            int from = r.nextInt(4);
            int to = (from + 1 + r.nextInt(3)) % 4;
            ts.get(from).send(contacts.get(to), ("m" + i).getBytes(StandardCharsets.UTF_8));
            s.runFor(Duration.ofMillis(r.nextInt(20)));
        }
        s.runFor(Duration.ofSeconds(1));
        for (SecureTransport t : ts) {
            events.add(t.stats().toString());
        }
        return events;
    }
}
