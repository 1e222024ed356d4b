package org.p2pdns.intro;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.intro.NettyUdpEndpoint;
import org.p2pdns.node.nat.StunClient;
import org.p2pdns.node.transport.PacketType;

/** The ice4j STUN responder on loopback, asked by our own client and by coturn's turnutils_stunclient. */
class StunResponderTest {

    @Test
    void ourClientLearnsItsAddressFromTheResponder() throws Exception {
        Counters counters = new Counters();
        try (StunResponder stun = StunResponder.start(new InetSocketAddress("127.0.0.1", 0), counters);
             NettyUdpEndpoint node = NettyUdpEndpoint.bind(new InetSocketAddress("127.0.0.1", 0),
                     Clock.systemUTC(), 1200)) {
            StunClient client = new StunClient(node.scheduler(), node, new Random(3));
            node.setReceiver((from, p) -> {
                if (PacketType.isStun(p)) {
                    client.onStun(from, p);
                }
            });
            CompletableFuture<InetSocketAddress> f = CompletableFuture.supplyAsync(
                    () -> client.binding(stun.localAddress()), node.scheduler()).thenCompose(x -> x);
            assertEquals(node.localAddress(), f.get(10, SECONDS));
            assertEquals(1, counters.get(ServerCounter.STUN_BINDINGS));
        }
    }

    @Test
    void coturnClientGetsTheRightReflexiveAddress() throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/turnutils_stunclient").canExecute(),
                "coturn's turnutils_stunclient is not installed");
        Counters counters = new Counters();
        java.util.Set<InetSocketAddress> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (StunResponder stun = StunResponder.start(new InetSocketAddress("127.0.0.1", 0), counters, seen::add)) {
            Process p = new ProcessBuilder("timeout", "3", "turnutils_stunclient", "-p",
                    String.valueOf(stun.localAddress().getPort()), "-L", "127.0.0.1",
                    "127.0.0.1").redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, SECONDS);
            Matcher m = Pattern.compile("UDP reflexive addr: ([0-9.]+):(\\d+)").matcher(output);
            assertTrue(m.find(), "no reflexive address in:\n" + output);
            assertEquals("127.0.0.1", m.group(1));
            assertTrue(seen.contains(new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(2)))),
                    "coturn reports " + m.group() + ", we answered " + seen);
            assertTrue(counters.get(ServerCounter.STUN_BINDINGS) >= 1);
        }
    }
}
