package org.p2pdns.intro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.P2PNode;
import org.p2pdns.node.config.ConfigKey;
import org.p2pdns.node.config.ConfigLoader;
import org.p2pdns.node.nat.NatMapping;
import org.p2pdns.node.reach.ReachRecord;

/** P2PNode's wiring: a node registered at an introduction server publishes its reachability once it has joined. */
@Timeout(60)
class P2PNodeReachTest {

    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();

    static final Map<String, String> TEST_NETWORK = Map.of("P2P_NETWORK_ID_DIFFICULTY", "0",
            "P2P_NETWORK_NAME_DIFFICULTY", "0", "P2P_BIND", "127.0.0.1", "P2P_PORT", "0", "P2P_DNS_ENABLED", "false",
            "P2P_STUN", "none");

    private P2PNode start(String name, Map<ConfigKey, String> flags) throws Exception {
        P2PNode n = P2PNode.start(ConfigLoader.load(tmp.resolve(name), TEST_NETWORK, flags),
                new P2PNode.Options(null, false, null, "test"));
        open.add(n);
        return n;
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aRegisteredNodePublishesItsReachability() throws Exception {
        IntroServer server = IntroServer.start(IntroServerConfig.defaults()
                .withBind(new InetSocketAddress("127.0.0.1", 0), -1).withIdDifficulty(0), Clock.systemUTC(),
                new Random(3));
        open.add(server);
        P2PNode p = start("p", Map.of());
        p.joined().get(10, TimeUnit.SECONDS);
        String intro = "127.0.0.1:" + server.address().getPort();
        P2PNode a = start("a", Map.of(ConfigKey.INTRO, intro, ConfigKey.BOOTSTRAP,
                "127.0.0.1:" + p.udpAddress().getPort()));
        a.joined().get(20, TimeUnit.SECONDS);
        ReachRecord r = null;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (r == null && System.nanoTime() < end) {
            r = a.publishedReachability();
            Thread.sleep(50);
        }
        assertNotNull(r, "published");
        assertEquals(a.identity().id(), r.nodeId());
        assertEquals(List.of(server.address()), r.info().introServers());
        assertEquals(a.udpAddress(), r.info().reflexive());
        assertEquals(NatMapping.NO_NAT, r.info().mapping());
        assertTrue(r.verifySignature());
        assertNull(p.publishedReachability(), "a node without introduction servers publishes nothing");
    }
}
