package org.p2pdns.node.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class HandshakeRateLimiterTest {

    @Test
    void burstThenRefillPerSource() throws Exception {
        HandshakeRateLimiter l = new HandshakeRateLimiter(2, 3);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        for (int i = 0; i < 3; i++) {
            assertTrue(l.tryAcquire(a, 1000));
        }
        assertFalse(l.tryAcquire(a, 1000));
        assertTrue(l.tryAcquire(b, 1000), "another IPv4 address has its own bucket");
        assertFalse(l.tryAcquire(a, 1400), "0.8 tokens after 400 ms at 2/s");
        assertTrue(l.tryAcquire(a, 1600));
        assertFalse(l.tryAcquire(a, 1600));
    }

    @Test
    void ipv6CountsBySlash64() throws Exception {
        HandshakeRateLimiter l = new HandshakeRateLimiter(1, 2);
        InetAddress x1 = InetAddress.getByName("2001:db8:1:2::1");
        InetAddress x2 = InetAddress.getByName("2001:db8:1:2:ffff::9");
        InetAddress other = InetAddress.getByName("2001:db8:1:3::1");
        assertTrue(l.tryAcquire(x1, 0));
        assertTrue(l.tryAcquire(x2, 0));
        assertFalse(l.tryAcquire(x1, 0), "same /64 shares one bucket");
        assertTrue(l.tryAcquire(other, 0));
        assertEquals(HandshakeRateLimiter.sourceKey(x1), HandshakeRateLimiter.sourceKey(x2));
        assertNotEquals(HandshakeRateLimiter.sourceKey(InetAddress.getByName("0.0.0.1")),
                HandshakeRateLimiter.sourceKey(InetAddress.getByName("::1")));
    }
}
