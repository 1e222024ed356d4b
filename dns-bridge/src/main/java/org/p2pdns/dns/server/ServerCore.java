package org.p2pdns.dns.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.cache.CacheKey;
import org.p2pdns.dns.cache.ResponseCache;
import org.p2pdns.dns.chain.DnsHandler;
import org.p2pdns.dns.chain.DnsRequest;
import org.p2pdns.dns.chain.Guard;
import org.p2pdns.dns.chain.GuardResult;
import org.p2pdns.dns.chain.Outcome;
import org.p2pdns.dns.chain.RateLimiter;
import org.p2pdns.dns.chain.Responses;
import org.p2pdns.dns.wire.ResponseTemplate;
import org.xbill.DNS.Message;

/**
 * Transport-independent query processing: the guard, then the handler chain, then rendering with the UDP size limit
 * (truncating with TC when the answer does not fit). Also the UDP fast path, which answers a plain query whose
 * answer is fresh in the cache straight from the encoded bytes, without decoding the query.
 */
public final class ServerCore {

    private final Guard guard;
    private final DnsHandler chain;
    private final ResponseCache cache;
    private final RateLimiter rateLimiter;
    private final Responses responses;
    private final BridgeStats stats;
    private final Clock clock;

    public ServerCore(Guard guard, DnsHandler chain, ResponseCache cache, RateLimiter rateLimiter,
                      Responses responses, BridgeStats stats) {
        this.guard = guard;
        this.chain = chain;
        this.cache = cache;
        this.rateLimiter = rateLimiter;
        this.responses = responses;
        this.stats = stats;
        this.clock = responses.clock();
    }

    /** Processes one query; {@code send} is called at most once, possibly later and on another thread. */
    public void process(byte[] raw, InetSocketAddress client, boolean tcp, Consumer<byte[]> send) {
        process(raw, client, tcp, send, NOT_CHECKED);
    }

    /** As above, with the rate limiter's verdict from {@link #fastPath} (or {@link #NOT_CHECKED}). */
    public void process(byte[] raw, InetSocketAddress client, boolean tcp, Consumer<byte[]> send, long limited) {
        GuardResult g = guard.inspect(raw, client, tcp, limited);
        if (g instanceof GuardResult.Reply r) {
            send.accept(r.wire());
            return;
        }
        if (!(g instanceof GuardResult.Pass p)) {
            return;
        }
        DnsRequest req = p.request();
        CompletableFuture<Outcome> f;
        try {
            f = chain.handle(req);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((o, err) -> {
            Outcome out = o;
            if (err != null || o == null) {
                stats.inc(Counter.INTERNAL_ERRORS);
                out = responses.internalError(req);
            }
            byte[] wire;
            try {
                wire = render(req, out.template());
            } catch (RuntimeException e) {
                stats.inc(Counter.INTERNAL_ERRORS);
                wire = render(req, responses.internalError(req).template());
            }
            send.accept(wire);
        });
    }

    /** Largest UDP response for a client: 512 without EDNS0, else its payload size capped at ours. */
    int udpLimit(boolean edns, int clientPayload) {
        return edns ? Math.min(Math.max(512, clientPayload), responses.payload()) : 512;
    }

    private byte[] render(DnsRequest req, ResponseTemplate t) {
        byte[] wire = t.render(req.raw(), req.edns(), clock.millis(), -1);
        stats.countRcode(t.rcode());
        if (!req.tcp()) {
            int limit = udpLimit(req.edns(), req.clientPayload());
            if (wire.length > limit) {
                stats.inc(Counter.TRUNCATED);
                try {
                    Message m = new Message(wire);
                    byte[] cut = m.toWire(limit);
                    // dnsjava sets TC when it drops records; make sure of it whatever it dropped.
                    cut[2] |= 0x02;
                    return cut;
                } catch (IOException e) {
                    throw new IllegalStateException("re-reading our own response failed", e);
                }
            }
        }
        return wire;
    }

    /**
     * {@link #fastPath} as a yes/no: true if it answered. A query it refuses for the rate limit also returns false
     * and has used its token, so callers that care pass the verdict on with {@link #fastPath}.
     */
    public boolean tryFast(ByteBuf query, InetSocketAddress client, ByteBufAllocator alloc, Consumer<ByteBuf> send) {
        return fastPath(query, client, alloc, send) == ANSWERED;
    }

    /** {@link #fastPath} did not take a rate-limit token: the guard must. */
    public static final long NOT_CHECKED = -1;
    /** {@link #fastPath} answered the query. */
    public static final long ANSWERED = 0;

    /**
     * The UDP fast path: if {@code query} is a plain QUERY for class IN with at most an OPT (version 0) and its
     * answer is fresh in the cache and fits, takes a rate-limit token and, if allowed, writes the answer and returns
     * {@link #ANSWERED}. Returns {@link #NOT_CHECKED} when the query is not for the fast path, or the rate limiter's
     * count (> 0) when the client is over its limit; either way the query then goes through {@link #process}.
     */
    public long fastPath(ByteBuf query, InetSocketAddress client, ByteBufAllocator alloc, Consumer<ByteBuf> send) {
        int s = query.readerIndex();
        int end = query.writerIndex();
        if (end - s < 17 || (query.getByte(s + 2) & 0xf8) != 0 || query.getUnsignedShort(s + 4) != 1
                || query.getUnsignedShort(s + 6) != 0 || query.getUnsignedShort(s + 8) != 0) {
            return NOT_CHECKED;
        }
        int ar = query.getUnsignedShort(s + 10);
        if (ar > 1) {
            return NOT_CHECKED;
        }
        int p = s + 12;
        while (true) {
            if (p >= end) {
                return NOT_CHECKED;
            }
            int len = query.getUnsignedByte(p);
            if (len == 0) {
                break;
            }
            if (len > 63) {
                return NOT_CHECKED;
            }
            p += 1 + len;
        }
        int nameLen = p + 1 - (s + 12);
        if (nameLen > 255 || p + 5 > end) {
            return NOT_CHECKED;
        }
        int qtype = query.getUnsignedShort(p + 1);
        if (query.getUnsignedShort(p + 3) != 1) {
            return NOT_CHECKED;
        }
        p += 5;
        boolean edns = false;
        int payload = 512;
        if (ar == 1) {
            if (p + 11 > end || query.getByte(p) != 0 || query.getUnsignedShort(p + 1) != 41
                    || query.getByte(p + 6) != 0) {
                return NOT_CHECKED;
            }
            payload = query.getUnsignedShort(p + 3);
            p += 11 + query.getUnsignedShort(p + 9);
            edns = true;
        }
        if (p != end) {
            return NOT_CHECKED;
        }
        byte[] key = new byte[nameLen];
        query.getBytes(s + 12, key);
        for (int i = 0; i < nameLen; i++) {
            byte b = key[i];
            if (b >= 'A' && b <= 'Z') {
                key[i] = (byte) (b + 32);
            }
        }
        long now = clock.millis();
        ResponseTemplate t = cache.fresh(new CacheKey(key, qtype), now);
        if (t == null || t.qnameLen() != nameLen || t.size(edns) > udpLimit(edns, payload)) {
            return NOT_CHECKED;
        }
        long limited = rateLimiter.acquire(client.getAddress());
        if (limited > 0) {
            return limited;
        }
        ByteBuf out = alloc.ioBuffer(t.size(edns));
        t.renderInto(out, query, s, edns, now);
        stats.inc(Counter.CACHE_HITS_FAST);
        stats.countRcode(t.rcode());
        send.accept(out);
        return ANSWERED;
    }
}
