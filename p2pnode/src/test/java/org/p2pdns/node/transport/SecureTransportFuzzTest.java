package org.p2pdns.node.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.time.VirtualScheduler;

/**
 * Fuzzes the secure transport's packet handling before and after the handshake. Each input first lets node A open a
 * session to node B (Noise IK, one message riding on the handshake), capturing the genuine packets; then the input
 * drives up to 32 steps: raw bytes from A's address or from a stranger, a genuine packet with bytes changed, a
 * genuine packet replayed, or time passing. Whatever happens, the transport must not fail internally, B's handler
 * must have received exactly the one genuine message (nothing forged, nothing replayed), and A's none.
 * Regression inputs: SecureTransportFuzzTestInputs/packets/.
 */
class SecureTransportFuzzTest {

    private static final TransportConfig CONFIG = TransportConfig.forNetwork(NetworkParams.TEST);
    private static final NodeIdentity ID_A = NodeIdentity.generate(new Random(1));
    private static final NodeIdentity ID_B = NodeIdentity.generate(new Random(2));
    private static final InetSocketAddress STRANGER = new InetSocketAddress("10.9.9.9", 4000);

    @FuzzTest(maxDuration = "10m")
    void packets(FuzzedDataProvider data) {
        VirtualScheduler scheduler = new VirtualScheduler();
        LoopbackDatagramNetwork net = new LoopbackDatagramNetwork(scheduler, Duration.ofMillis(5));
        LoopbackDatagramNetwork.Endpoint ea = net.endpoint();
        LoopbackDatagramNetwork.Endpoint eb = net.endpoint();
        TransportStats sa = new TransportStats();
        TransportStats sb = new TransportStats();
        SecureTransport a = new SecureTransport(ID_A, ea, scheduler, new Random(3), CONFIG, sa);
        SecureTransport b = new SecureTransport(ID_B, eb, scheduler, new Random(4), CONFIG, sb);
        ea.setReceiver(a);
        eb.setReceiver(b);
        List<String> atA = new ArrayList<>();
        List<String> atB = new ArrayList<>();
        a.setHandler((from, m) -> atA.add(new String(m, StandardCharsets.UTF_8)));
        b.setHandler((from, m) -> atB.add(new String(m, StandardCharsets.UTF_8)));

        a.send(ID_B.contact(eb.address), "hello".getBytes(StandardCharsets.UTF_8));
        scheduler.runFor(Duration.ofMillis(50));
        assertEquals(List.of("hello"), atB, "the genuine exchange failed");
        List<LoopbackDatagramNetwork.Sent> genuine = List.copyOf(net.log());

        for (int step = 0; step < 32 && data.remainingBytes() > 0; step++) {
            switch (data.consumeInt(0, 5)) {
                case 0 -> net.inject(ea.address, eb.address, data.consumeBytes(data.consumeInt(0, 1300)));
                case 1 -> net.inject(STRANGER, eb.address, data.consumeBytes(data.consumeInt(0, 1300)));
                case 2 -> net.inject(eb.address, ea.address, data.consumeBytes(data.consumeInt(0, 1300)));
                case 3 -> {
                    LoopbackDatagramNetwork.Sent s = genuine.get(data.consumeInt(0, genuine.size() - 1));
                    byte[] p = s.packet().clone();
                    int changes = data.consumeInt(1, 4);
                    for (int i = 0; i < changes && p.length > 0; i++) {
                        p[data.consumeInt(0, p.length - 1)] ^= (byte) data.consumeInt(1, 255);
                    }
                    net.inject(s.from(), s.to(), p);
                }
                case 4 -> {
                    LoopbackDatagramNetwork.Sent s = genuine.get(data.consumeInt(0, genuine.size() - 1));
                    net.inject(data.consumeBoolean() ? s.from() : STRANGER, s.to(), s.packet());
                }
                default -> scheduler.runFor(Duration.ofSeconds(data.consumeInt(0, 600)));
            }
            scheduler.runFor(Duration.ofMillis(10));
        }
        scheduler.runFor(Duration.ofSeconds(1));
        assertEquals(0, sa.get(TransportStats.Counter.INTERNAL_ERRORS), "internal errors at A");
        assertEquals(0, sb.get(TransportStats.Counter.INTERNAL_ERRORS), "internal errors at B");
        assertEquals(List.of("hello"), atB, "B accepted a forged or replayed message");
        assertEquals(List.of(), atA, "A accepted a forged message");
        a.close();
        b.close();
    }
}
