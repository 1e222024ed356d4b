package org.p2pdns.dns.chain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.testing.UdpClient;

/** The guard never throws, whatever the bytes: random input and bit-flipped real queries (seeded). */
class GuardFuzzTest {

    @Test
    void randomAndMutatedInputIsAlwaysDroppedRepliedOrPassed() {
        Responses responses = new Responses(Clock.systemUTC(), 1232);
        Guard guard = new Guard(responses, new RateLimiter(Clock.systemUTC(), 0, 0, false), new BridgeStats());
        InetSocketAddress client = new InetSocketAddress("127.0.0.1", 9);
        Random random = new Random(7);
        byte[] base = UdpClient.query("www.example.p2p.", "AAAA", 1).toWire();
        int replies = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] in;
            if (i % 2 == 0) {
                in = new byte[random.nextInt(64)];
                random.nextBytes(in);
            } else {
                in = base.clone();
                for (int k = 0; k <= random.nextInt(4); k++) {
                    in[random.nextInt(in.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            GuardResult r = guard.inspect(in, client, random.nextBoolean());
            if (r instanceof GuardResult.Reply reply) {
                replies++;
                assertTrue(reply.wire().length >= 12 && (reply.wire()[2] & 0x80) != 0);
                assertTrue(reply.wire()[0] == in[0] && reply.wire()[1] == in[1], "reply keeps the query id");
            }
        }
        assertTrue(replies > 0);
    }
}
