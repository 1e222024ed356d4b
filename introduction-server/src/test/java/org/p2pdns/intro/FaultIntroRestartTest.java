package org.p2pdns.intro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.intro.PeerInfo;
import org.p2pdns.node.nat.IntroClient;
import org.p2pdns.node.nat.IntroClientConfig;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.transport.DatagramReceiver;
import org.p2pdns.node.transport.DatagramTransport;

/**
 * The introduction server restarts (all state lost: registrations, cookies, rate limits) while two nodes are
 * registered with it. Without anyone's help the nodes must be registered again within one refresh interval, and a
 * node asking for peers must get the other one. Sans-IO: the real server core and the real clients over an in-memory
 * link in virtual time; "restart" swaps in a new server core at the same address.
 */
class FaultIntroRestartTest {

    private static final InetSocketAddress SERVER = new InetSocketAddress("198.51.100.1", 7460);
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final Map<InetSocketAddress, DatagramReceiver> receivers = new HashMap<>();
    private boolean serverUp = true;

    /** A socket on the in-memory link: delivers after 5 ms to whoever owns the destination address. */
    private DatagramTransport socket(InetSocketAddress self) {
        return new DatagramTransport() {
            @Override
            public InetSocketAddress localAddress() {
                return self;
            }

            @Override
            public void send(InetSocketAddress to, byte[] packet) {
                byte[] copy = packet.clone();
                scheduler.schedule(Duration.ofMillis(5), () -> {
                    DatagramReceiver r = receivers.get(to);
                    if (r != null && (serverUp || !to.equals(SERVER))) {
                        r.onDatagram(self, copy);
                    }
                });
            }

            @Override
            public void setReceiver(DatagramReceiver receiver) {
                receivers.put(self, receiver);
            }

            @Override
            public void close() {
                receivers.remove(self);
            }
        };
    }

    private IntroServerCore server(int seed) {
        IntroServerConfig cfg = IntroServerConfig.defaults().withBind(SERVER, -1);
        DatagramTransport t = socket(SERVER);
        IntroServerCore core = new IntroServerCore(cfg, scheduler, t, new Random(seed), new Counters());
        t.setReceiver(core);
        core.start();
        return core;
    }

    private IntroClient client(int seed, InetSocketAddress at) {
        byte[] s = new byte[32];
        new Random(seed).nextBytes(s);
        DatagramTransport t = socket(at);
        IntroClient c = new IntroClient(IntroClientConfig.of(List.of(SERVER)), new Ed25519PrivateKeyParameters(s),
                scheduler, t, new Random(seed), List::of);
        t.setReceiver(c::onIntroPacket);
        c.start();
        return c;
    }

    private <T> T await(CompletableFuture<T> f) {
        assertTrue(scheduler.runUntil(f::isDone, Duration.ofMinutes(2)), "no answer");
        return f.join();
    }

    @Test
    void nodesRegisterAgainByThemselvesAfterARestart() {
        IntroServerCore first = server(1);
        IntroClient a = client(2, new InetSocketAddress("203.0.113.10", 40000));
        IntroClient b = client(3, new InetSocketAddress("203.0.113.20", 40000));
        await(a.firstRegistration());
        await(b.firstRegistration());
        assertEquals(2, first.registrations());

        // down for 30 s (longer than a refresh interval: the clients' requests go unanswered), then a fresh server
        first.stop();
        serverUp = false;
        scheduler.runFor(Duration.ofSeconds(30));
        IntroServerCore second = server(4);
        serverUp = true;
        assertEquals(0, second.registrations());

        long restartedAt = scheduler.nowMillis();
        assertTrue(scheduler.runUntil(() -> second.registrations() == 2, Duration.ofSeconds(60)),
                "the nodes did not register again: " + second.registrations() + " after 60 s");
        long recovered = scheduler.nowMillis() - restartedAt;
        List<PeerInfo> peers = await(a.peers(8));
        assertTrue(peers.stream().anyMatch(p -> p.id().equals(b.nodeId())), "a does not learn b: " + peers);
        System.out.printf("fault (introduction server restart): both nodes registered again %d ms after the restart"
                + " (refresh interval 20 s)%n", recovered);
        assertTrue(recovered <= Duration.ofSeconds(25).toMillis(), "took " + recovered + " ms");
    }
}
