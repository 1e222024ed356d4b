package org.p2pdns.intro;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Random;
import org.p2pdns.node.time.VirtualScheduler;

/**
 * Fuzzes the server core with sequences of arbitrary datagrams from a few source addresses, with time passing: it
 * never throws, and its state stays within the configured caps. Regression inputs: IntroServerFuzzTestInputs/.
 */
class IntroServerFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void datagrams(FuzzedDataProvider data) throws UnknownHostException {
        VirtualScheduler clock = new VirtualScheduler();
        IntroServerConfig cfg = IntroServerConfig.defaults().withBind(new InetSocketAddress("127.0.0.1", 7460), -1)
                .withIdDifficulty(0).withRegistrations(Duration.ofSeconds(5), 8, 4)
                .withRelay(true, 4000, Duration.ofSeconds(5), 8000, 4);
        IntroServerCore core = new IntroServerCore(cfg, clock, new CapturingTransport(), new Random(1),
                new Counters());
        core.start();
        int n = data.consumeInt(0, 64);
        for (int i = 0; i < n; i++) {
            InetAddress ip = InetAddress.getByAddress(new byte[]{(byte) 203, 0, 113, (byte) data.consumeInt(1, 4)});
            InetSocketAddress from = new InetSocketAddress(ip, data.consumeInt(1, 3));
            byte[] packet = data.consumeBytes(data.consumeInt(0, 1400));
            if (packet.length > 0 && data.consumeBoolean()) {
                packet[0] = (byte) (0x60 + data.consumeInt(0, 15));
                if (packet.length > 1) {
                    packet[1] = 1;
                }
            }
            core.onDatagram(from, packet);
            clock.runFor(Duration.ofMillis(data.consumeInt(0, 3000)));
        }
        assertTrue(core.registrations() <= 8);
        assertTrue(core.relaySessions() <= 4);
    }
}
