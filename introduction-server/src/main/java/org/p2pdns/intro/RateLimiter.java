package org.p2pdns.intro;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Token buckets per source IP with bounded state: when {@code maxTracked} IPs are tracked, idle (full) buckets are
 * dropped; if none is idle, a new IP is refused until some are. Event thread only.
 */
final class RateLimiter {
    private static final class Bucket {
        double tokens;
        long last;
    }

    private final double perMilli;
    private final int burst;
    private final int maxTracked;
    private final Map<InetAddress, Bucket> buckets = new HashMap<>();

    RateLimiter(double perSecond, int burst, int maxTracked) {
        this.perMilli = perSecond / 1000.0;
        this.burst = burst;
        this.maxTracked = maxTracked;
    }

    /** Takes {@code cost} tokens for {@code ip}; false when it has too few. */
    boolean allow(InetAddress ip, long now, double cost) {
        Bucket b = buckets.get(ip);
        if (b == null) {
            if (buckets.size() >= maxTracked && sweep(now) == 0) {
                return false;
            }
            b = new Bucket();
            b.tokens = burst;
            b.last = now;
            buckets.put(ip, b);
        } else {
            b.tokens = Math.min(burst, b.tokens + (now - b.last) * perMilli);
            b.last = now;
        }
        if (b.tokens < cost) {
            return false;
        }
        b.tokens -= cost;
        return true;
    }

    /** Forgets buckets that have refilled completely; returns how many. */
    int sweep(long now) {
        int n = 0;
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            if (b.tokens + (now - b.last) * perMilli >= burst) {
                it.remove();
                n++;
            }
        }
        return n;
    }

    int tracked() {
        return buckets.size();
    }
}
