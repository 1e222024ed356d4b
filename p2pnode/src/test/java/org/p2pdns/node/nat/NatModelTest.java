package org.p2pdns.node.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroDecodeException;
import org.p2pdns.node.time.VirtualScheduler;

/** Classification, reachability info and the order of the connectivity chain. */
class NatModelTest {

    private static InetSocketAddress a(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    @Test
    void classifiesMappingBehaviour() {
        List<InetSocketAddress> locals = List.of(a("192.0.2.10", 4000));
        assertEquals(NatMapping.UNKNOWN, NatMapping.classify(List.of(), locals));
        assertEquals(NatMapping.NO_NAT, NatMapping.classify(List.of(a("192.0.2.10", 4000)), locals));
        assertEquals(NatMapping.UNKNOWN, NatMapping.classify(List.of(a("203.0.113.1", 4000)), locals));
        assertEquals(NatMapping.ENDPOINT_INDEPENDENT, NatMapping.classify(
                List.of(a("203.0.113.1", 4000), a("203.0.113.1", 4000)), locals));
        assertEquals(NatMapping.ENDPOINT_DEPENDENT, NatMapping.classify(
                List.of(a("203.0.113.1", 4000), a("203.0.113.1", 4001)), locals));
    }

    @Test
    void reachabilityInfoRoundTripsAndRejectsGarbage() throws Exception {
        ReachabilityInfo r = new ReachabilityInfo(NatMapping.ENDPOINT_DEPENDENT, a("203.0.113.1", 40000),
                List.of(a("198.51.100.20", 7460), a("2001:db8::1", 7460)));
        assertEquals(r, ReachabilityInfo.decode(r.encode()));
        ReachabilityInfo none = new ReachabilityInfo(NatMapping.UNKNOWN, null, List.of());
        assertEquals(none, ReachabilityInfo.decode(none.encode()));
        byte[] w = r.encode();
        for (int len = 0; len < w.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(w, len);
            assertThrows(IntroDecodeException.class, () -> ReachabilityInfo.decode(cut), "len " + len);
        }
        byte[] longer = java.util.Arrays.copyOf(w, w.length + 1);
        assertThrows(IntroDecodeException.class, () -> ReachabilityInfo.decode(longer));
        byte[] badMapping = w.clone();
        badMapping[1] = 9;
        assertThrows(IntroDecodeException.class, () -> ReachabilityInfo.decode(badMapping));
    }

    @Test
    void chainTriesStrategiesInOrderUntilOneWorks() throws Exception {
        VirtualScheduler s = new VirtualScheduler();
        List<PathKind> tried = new ArrayList<>();
        NodeId peer = NodeId.random(new java.util.Random(1));
        List<ConnectStrategy> strategies = new ArrayList<>();
        for (PathKind k : PathKind.values()) {
            strategies.add(new ConnectStrategy() {
                @Override
                public PathKind kind() {
                    return k;
                }

                @Override
                public CompletableFuture<PeerPath> attempt(ConnectTarget t) {
                    tried.add(k);
                    CompletableFuture<PeerPath> f = new CompletableFuture<>();
                    s.schedule(Duration.ofMillis(100), () -> {
                        if (k == PathKind.UPNP) {
                            f.complete(new PeerPath(peer, k, a("203.0.113.2", 1), null, null));
                        } else {
                            f.completeExceptionally(new IllegalStateException(k + " failed"));
                        }
                    });
                    return f;
                }
            });
        }
        ConnectivityChain chain = new ConnectivityChain(strategies, s);
        CompletableFuture<PeerPath> f = chain.connect(new ConnectTarget(peer, List.of()));
        s.runFor(Duration.ofSeconds(1));
        assertEquals(List.of(PathKind.DIRECT, PathKind.PUNCHED, PathKind.UPNP), tried);
        assertEquals(PathKind.UPNP, f.get().kind());
        assertEquals(Duration.ofMillis(300), f.get().setupTime());
    }
}
