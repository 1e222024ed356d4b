package org.p2pdns.node.transport;

import java.net.InetAddress;
import java.util.Map;
import org.p2pdns.node.util.LruMap;

/**
 * A token bucket per source IP for handshake initiations, so that one host cannot make the node spend its CPU on
 * Diffie-Hellman operations. An IPv6 source counts by its /64 (one host usually holds a whole /64, so per-address
 * buckets would be free to multiply). Tracks a bounded number of sources (least recently seen forgotten first). Event
 * thread only.
 */
final class HandshakeRateLimiter {

    private static final int TRACKED = 8192;

    private static final class Bucket {
        double tokens;
        long lastMillis;
    }

    private final double perMilli;
    private final int burst;
    private final Map<Long, Bucket> buckets = LruMap.withMax(TRACKED);

    HandshakeRateLimiter(double perSecond, int burst) {
        this.perMilli = perSecond / 1000.0;
        this.burst = burst;
    }

    /** Takes a token for {@code ip} at {@code nowMillis}; false when its bucket is empty. */
    boolean tryAcquire(InetAddress ip, long nowMillis) {
        Long key = sourceKey(ip);
        Bucket b = buckets.get(key);
        if (b == null) {
            b = new Bucket();
            b.tokens = burst;
            b.lastMillis = nowMillis;
            buckets.put(key, b);
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

    /** IPv4: the address (tagged so it cannot equal an IPv6 prefix in practice); IPv6: the first 64 bits. */
    static long sourceKey(InetAddress ip) {
        byte[] a = ip.getAddress();
        long k = 0;
        int n = a.length == 4 ? 4 : 8;
        for (int i = 0; i < n; i++) {
            k = k << 8 | (a[i] & 0xff);
        }
        return a.length == 4 ? k | 0xFFFF_FFFF_0000_0000L : k;
    }
}
