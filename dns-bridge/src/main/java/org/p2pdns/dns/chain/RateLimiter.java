package org.p2pdns.dns.chain;

import java.net.InetAddress;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client token buckets (queries per second with a burst). Bounded memory: when more than {@link #MAX_CLIENTS}
 * addresses are tracked the table is cleared, which only ever errs on the side of answering.
 */
public final class RateLimiter {

    static final int MAX_CLIENTS = 65_536;

    private static final class Bucket {
        double tokens;
        long lastMillis;
        long limited;
    }

    private final Clock clock;
    private final double qps;
    private final double burst;
    private final boolean loopbackToo;
    private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();

    /** {@code qps == 0} turns limiting off. */
    public RateLimiter(Clock clock, int qps, int burst, boolean loopbackToo) {
        this.clock = clock;
        this.qps = qps;
        this.burst = burst;
        this.loopbackToo = loopbackToo;
    }

    /** Whether this limiter can ever refuse {@code client}: lets the fast path skip the table. */
    public boolean applies(InetAddress client) {
        return qps > 0 && (loopbackToo || !client.isLoopbackAddress());
    }

    /**
     * Takes one token for {@code client}. Returns 0 if allowed, otherwise the number of queries limited so far for
     * this client (1, 2, 3...), so the caller can "slip" a truncated answer to every other one.
     */
    public long acquire(InetAddress client) {
        if (!applies(client)) {
            return 0;
        }
        if (buckets.size() > MAX_CLIENTS) {
            buckets.clear();
        }
        Bucket b = buckets.computeIfAbsent(client, k -> {
            Bucket n = new Bucket();
            n.tokens = burst;
            n.lastMillis = clock.millis();
            return n;
        });
        synchronized (b) {
            long now = clock.millis();
            if (now > b.lastMillis) {
                b.tokens = Math.min(burst, b.tokens + (now - b.lastMillis) * qps / 1000.0);
                b.lastMillis = now;
            }
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return ++b.limited;
        }
    }
}
