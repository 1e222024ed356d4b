package org.p2pdns.intro;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.p2pdns.node.intro.IntroCodec;
import org.p2pdns.node.intro.IntroDecodeException;
import org.p2pdns.node.intro.IntroMessage;
import org.p2pdns.node.time.VirtualScheduler;

/**
 * Fuzzes the introduction server's core handler (sans-IO): a fresh core with two genuinely registered nodes receives
 * up to 24 datagrams, each either fuzzed bytes or a genuine REGISTER with bytes changed, from one of a few addresses.
 * The handler must never throw; everything it sends must decode; and a reply to an address that never proved its
 * cookie is at most 3x the request (no amplification beyond the documented factor), with a floor of one ERROR.
 * Regression inputs: IntroServerFuzzTestInputs/datagrams/.
 */
class IntroServerFuzzTest {

    private static final Ed25519PrivateKeyParameters KEY_A = new Ed25519PrivateKeyParameters(seed(1));
    private static final Ed25519PrivateKeyParameters KEY_B = new Ed25519PrivateKeyParameters(seed(2));
    private static final InetSocketAddress A = new InetSocketAddress("203.0.113.1", 40001);
    private static final InetSocketAddress B = new InetSocketAddress("203.0.113.2", 40002);
    private static final InetSocketAddress[] SOURCES = {A, B, new InetSocketAddress("198.51.100.7", 5000),
        new InetSocketAddress("2001:db8::7", 6000)};
    /** An ERROR reply: the smallest thing the server sends. */
    private static final int ERROR_BYTES = IntroCodec.encode(new IntroMessage.Error(1,
            org.p2pdns.node.intro.IntroError.MALFORMED)).length;

    private static byte[] seed(int s) {
        byte[] b = new byte[32];
        new Random(s).nextBytes(b);
        return b;
    }

    @FuzzTest(maxDuration = "10m")
    void datagrams(FuzzedDataProvider data) {
        VirtualScheduler clock = new VirtualScheduler();
        CapturingTransport out = new CapturingTransport();
        IntroServerConfig config = IntroServerConfig.defaults().withBind(new InetSocketAddress("127.0.0.1", 0), -1)
                .withRegistrations(Duration.ofSeconds(60), 50, 3);
        IntroServerCore core = new IntroServerCore(config, clock, out, new Random(2), new Counters());
        core.start();
        byte[] regA = IntroCodec.encode(IntroCodec.signRegister(KEY_A, 1, clock.nowMillis(), 8, 0, List.of()));
        core.onDatagram(A, regA);
        core.onDatagram(B, IntroCodec.encode(IntroCodec.signRegister(KEY_B, 2, clock.nowMillis(), 8, 0, List.of())));
        out.sent.clear();
        for (int step = 0; step < 24 && data.remainingBytes() > 0; step++) {
            InetSocketAddress from = SOURCES[data.consumeInt(0, SOURCES.length - 1)];
            byte[] packet;
            if (data.consumeInt(0, 3) == 0) {
                packet = regA.clone();
                int changes = data.consumeInt(1, 4);
                for (int i = 0; i < changes; i++) {
                    packet[data.consumeInt(0, packet.length - 1)] ^= (byte) data.consumeInt(1, 255);
                }
            } else {
                packet = data.consumeBytes(data.consumeInt(0, 1400));
            }
            int before = out.sent.size();
            core.onDatagram(from, packet);
            int toSender = 0;
            for (CapturingTransport.Sent s : out.sent.subList(before, out.sent.size())) {
                try {
                    IntroCodec.decode(s.packet());
                } catch (IntroDecodeException e) {
                    throw new AssertionError("server sent bytes that do not decode: " + e.getMessage(), e);
                }
                if (s.to().equals(from)) {
                    toSender += s.packet().length;
                }
            }
            // a genuine node (A or B) may get a full reply once it echoes its cookie; strangers never can
            if (from != A && from != B) {
                assertTrue(toSender <= Math.max(3 * packet.length, ERROR_BYTES),
                        toSender + " bytes sent back for a request of " + packet.length);
            }
            clock.runFor(Duration.ofMillis(data.consumeInt(0, 5000)));
        }
        core.stop();
    }
}
