package org.p2pdns.node.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroDecodeException;

class HolePuncherTest {

    private final Random random = new Random(3);
    private final MemNet net = new MemNet();
    private final NodeId idA = NodeId.random(random);
    private final NodeId idB = NodeId.random(random);
    private final MemNet.Endpoint epA = net.endpoint("192.0.2.10", 4000);
    private final MemNet.Endpoint epB = net.endpoint("192.0.2.74", 5000);
    private final HolePuncher a = new HolePuncher(idA, net.clock, epA, Duration.ofMillis(50));
    private final HolePuncher b = new HolePuncher(idB, net.clock, epB, Duration.ofMillis(50));

    {
        epA.setReceiver(a::onPunch);
        epB.setReceiver(b::onPunch);
    }

    @Test
    void bothSidesPunchAndLearnThePeerReflexiveAddress() throws Exception {
        // B sits behind a NAT that rewrites its source to an address nobody told A about
        epB.seenAs = new InetSocketAddress("203.0.113.2", 61000);
        // until B has sent towards A, A's packets to B's advertised address are lost (B's NAT filters)
        boolean[] bOpened = {false};
        net.drop = (from, to) -> {
            if (from.equals(epB.seenAs)) {
                bOpened[0] = true;
            }
            return to.equals(epB.seenAs) && !bOpened[0];
        };
        CompletableFuture<InetSocketAddress> fa = a.punch(idB, 77, List.of(new InetSocketAddress("203.0.113.2", 40000),
                epB.seenAs), Duration.ofSeconds(2));
        net.clock.runFor(Duration.ofMillis(120));
        CompletableFuture<InetSocketAddress> fb = b.punch(idA, 77, List.of(epA.address), Duration.ofSeconds(2));
        net.clock.runFor(Duration.ofSeconds(1));
        assertEquals(epB.seenAs, fa.get());
        assertEquals(epA.address, fb.get());
        assertEquals(0, a.activeAttempts());
    }

    @Test
    void timesOutWhenNothingAnswers() {
        net.drop = (f, t) -> true;
        CompletableFuture<InetSocketAddress> f = a.punch(idB, 1, List.of(epB.address), Duration.ofMillis(500));
        net.clock.runFor(Duration.ofSeconds(1));
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertInstanceOf(TimeoutException.class, e.getCause());
        long probes = net.log.stream().filter(x -> ((InetSocketAddress) x[1]).equals(epB.address)).count();
        assertTrue(probes >= 9 && probes <= 11, "probes every 50 ms for 500 ms: " + probes);
    }

    @Test
    void ackFromAnotherNodeOrWrongTokenDoesNotCount() throws Exception {
        CompletableFuture<InetSocketAddress> f = a.punch(idB, 5, List.of(epB.address), Duration.ofSeconds(1));
        NodeId stranger = NodeId.random(random);
        a.onPunch(epB.address, new PunchPacket(PunchPacket.Kind.ACK, 5, stranger).encode());
        a.onPunch(epB.address, new PunchPacket(PunchPacket.Kind.ACK, 6, idB).encode());
        a.onPunch(epB.address, new PunchPacket(PunchPacket.Kind.ACK, 5, idA).encode()); // our own, reflected
        a.onPunch(epB.address, new byte[]{0x70, 1});
        assertTrue(!f.isDone());
        assertEquals(4, a.dropped());
        a.onPunch(epB.address, new PunchPacket(PunchPacket.Kind.ACK, 5, idB).encode());
        assertEquals(epB.address, f.get());
    }

    @Test
    void aSecondPunchTowardsTheSamePeerJoinsTheFirst() throws Exception {
        CompletableFuture<InetSocketAddress> f1 = a.punch(idB, 11, List.of(epB.address), Duration.ofSeconds(1));
        CompletableFuture<InetSocketAddress> f2 = a.punch(idB, 22, List.of(epB.address), Duration.ofSeconds(1));
        assertTrue(f1 == f2);
        assertEquals(1, a.activeAttempts());
        net.clock.runFor(Duration.ofMillis(30));
        long tokens = net.log.stream().map(x -> (byte[]) x[2]).map(p -> {
            try {
                return PunchPacket.decode(p).token();
            } catch (IntroDecodeException e) {
                throw new AssertionError(e);
            }
        }).distinct().filter(t -> t == 11 || t == 22).count();
        assertEquals(2, tokens, "probes carry both rendezvous tokens");
        a.onPunch(epB.address, new PunchPacket(PunchPacket.Kind.ACK, 22, idB).encode());
        assertEquals(epB.address, f1.get());
    }

    @Test
    void keepalivesHoldTheMappingUntilStopped() {
        a.keepalive(epB.address, Duration.ofSeconds(15));
        net.clock.runFor(Duration.ofSeconds(61));
        assertEquals(4, net.log.size());
        a.stopKeepalive(epB.address);
        net.clock.runFor(Duration.ofSeconds(60));
        assertEquals(4, net.log.size());
        assertEquals(0, b.acksSent(), "keepalives are not answered");
    }

    @Test
    void punchPacketRoundTripAndMalformed() throws Exception {
        PunchPacket p = new PunchPacket(PunchPacket.Kind.KEEPALIVE, -2, idA);
        assertEquals(p, PunchPacket.decode(p.encode()));
        byte[] bad = p.encode();
        bad[2] = 9;
        assertThrows(IntroDecodeException.class, () -> PunchPacket.decode(bad));
        byte[] v = p.encode();
        v[1] = 2;
        assertThrows(IntroDecodeException.class, () -> PunchPacket.decode(v));
        assertThrows(IntroDecodeException.class, () -> PunchPacket.decode(new byte[PunchPacket.BYTES + 1]));
    }

    /**
     * The peer's PROBE arrives before our attempt exists (the server told the peer first) and the peer stops probing
     * once our ACK reaches it: the attempt must still use the address that PROBE came from (a symmetric NAT's mapping
     * towards us, advertised nowhere).
     */
    @Test
    void aProbeThatCameBeforeTheAttemptIsNotLost() throws Exception {
        epB.seenAs = new InetSocketAddress("203.0.113.2", 61000); // B's mapping towards A, unknown to A
        CompletableFuture<InetSocketAddress> fb = b.punch(idA, 99, List.of(epA.address), Duration.ofSeconds(2));
        net.clock.runFor(Duration.ofMillis(30)); // B's first PROBE reached A; A's ACK reached B: B is done
        assertEquals(epA.address, fb.get());
        CompletableFuture<InetSocketAddress> fa = a.punch(idB, 99, List.of(new InetSocketAddress("203.0.113.2",
                40000)), Duration.ofSeconds(1));
        net.clock.runFor(Duration.ofMillis(200));
        assertEquals(epB.seenAs, fa.get(), "A probed where B's early PROBE came from");
        // an early PROBE with another token (not this rendezvous) is not trusted
        CompletableFuture<InetSocketAddress> fb2 = b.punch(idA, 5, List.of(epA.address), Duration.ofSeconds(2));
        net.clock.runFor(Duration.ofMillis(30));
        assertEquals(epA.address, fb2.get());
        CompletableFuture<InetSocketAddress> fa2 = a.punch(idB, 6, List.of(new InetSocketAddress("203.0.113.2",
                40000)), Duration.ofMillis(500));
        net.clock.runFor(Duration.ofSeconds(1));
        assertTrue(fa2.isCompletedExceptionally());
    }
}
