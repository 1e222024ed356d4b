package org.p2pdns.node.transport;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per source IP for handshake initiations, so that one host cannot make the node spend its CPU on
 * Diffie-Hellman operations. Tracks a bounded number of addresses (least recently seen forgotten first). Event thread
 * only.
 */
final class HandshakeRateLimiter {

    private static final int TRACKED = 8192;

    private static final class Bucket {
        double tokens;
        long lastMillis;
    }

    private final double perMilli;
    private final int burst;
    private final Map<InetAddress, Bucket> buckets = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
            return size() > TRACKED;
        }
    };

    HandshakeRateLimiter(double perSecond, int burst) {
        this.perMilli = perSecond / 1000.0;
        this.burst = burst;
    }

    /** Takes a token for {@code ip} at {@code nowMillis}; false when its bucket is empty. */
    boolean tryAcquire(InetAddress ip, long nowMillis) {
        Bucket b = buckets.get(ip);
        if (b == null) {
            b = new Bucket();
            b.tokens = burst;
            b.lastMillis = nowMillis;
            buckets.put(ip, b);
        } else {
            long elapsed = Math.max(0, nowMillis - b.lastMillis);
            b.tokens = Math.min(burst, b.tokens + elapsed * perMilli);
            b.lastMillis = nowMillis;
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return true;
        }
        return false;
    }
}
