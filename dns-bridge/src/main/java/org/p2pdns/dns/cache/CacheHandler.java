package org.p2pdns.dns.cache;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.chain.DnsHandler;
import org.p2pdns.dns.chain.DnsRequest;
import org.p2pdns.dns.chain.Outcome;
import org.p2pdns.dns.chain.Responses;
import org.p2pdns.dns.wire.ResponseTemplate;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;

/**
 * The cache link of the chain: answers from {@link ResponseCache} while an entry is fresh; otherwise asks the next
 * handler, once for all identical questions in flight (coalescing), and stores what may be cached. When the refresh
 * of an expired entry fails transiently (DHT timeout, no peers, upstream unreachable) the expired answer is served
 * with TTL {@value #STALE_TTL} and EDE 3 "Stale Answer" for up to the serve-stale window (RFC 8767). With a
 * scheduler, the stale answer is also sent when the refresh has not finished after {@link #CLIENT_RESPONSE_TIMER}
 * (RFC 8767's client-response timer), so a stub resolver that gives up after a few seconds still gets it; the refresh
 * goes on and updates the cache.
 */
public final class CacheHandler implements DnsHandler {

    /** RFC 8767 section 4 recommends 30 seconds for the TTL of stale answers. */
    public static final long STALE_TTL = 30;

    /** RFC 8767 section 5 suggests 1.8 s: under the usual 2 s retry of stub resolvers. */
    public static final Duration CLIENT_RESPONSE_TIMER = Duration.ofMillis(1800);

    private final ResponseCache cache;
    private final DnsHandler next;
    private final Responses responses;
    private final BridgeStats stats;
    private final Clock clock;
    private final long maxTtlSeconds;
    private final long staleMillis;
    private final Scheduler timers;
    private final ConcurrentHashMap<CacheKey, CompletableFuture<Settled>> inflight = new ConcurrentHashMap<>();

    /** What a refresh gives its clients: the outcome, and whether it is the expired entry served stale. */
    private record Settled(Outcome outcome, boolean stale) {
    }

    /** Without a scheduler: stale answers only once a refresh has failed. */
    public CacheHandler(ResponseCache cache, DnsHandler next, Responses responses, BridgeStats stats,
                        Duration maxTtl, Duration serveStale) {
        this(cache, next, responses, stats, maxTtl, serveStale, null);
    }

    /** With {@code timers}: also a stale answer when a refresh takes longer than {@link #CLIENT_RESPONSE_TIMER}. */
    public CacheHandler(ResponseCache cache, DnsHandler next, Responses responses, BridgeStats stats,
                        Duration maxTtl, Duration serveStale, Scheduler timers) {
        this.timers = timers;
        this.cache = cache;
        this.next = next;
        this.responses = responses;
        this.stats = stats;
        this.clock = responses.clock();
        this.maxTtlSeconds = maxTtl.toSeconds();
        this.staleMillis = serveStale.toMillis();
    }

    public ResponseCache cache() {
        return cache;
    }

    @Override
    public CompletableFuture<Outcome> handle(DnsRequest request) {
        CacheKey key = CacheKey.of(request.qname(), request.qtype());
        long now = clock.millis();
        ResponseCache.Entry e = cache.get(key, now);
        if (e != null && e.fresh(now)) {
            stats.inc(Counter.CACHE_HITS);
            return CompletableFuture.completedFuture(new Outcome(e.template(), 0, false));
        }
        stats.inc(Counter.CACHE_MISSES);
        CompletableFuture<Settled> shared = refresh(key, request);
        if (e == null || timers == null || staleMillis == 0 || shared.isDone()) {
            // counted here, before the server (a later stage of the future returned) sends the answer
            return shared.thenApply(this::deliver);
        }
        // e is expired but within the stale window: do not keep the client waiting on a slow refresh. The timer and
        // the refresh race for the one answer this client gets; only the winner counts it, before handing it over
        // (completing the future sends it), so a client holding a stale answer always sees it counted once.
        CompletableFuture<Outcome> race = new CompletableFuture<>();
        AtomicBoolean answered = new AtomicBoolean();
        Cancellable timer = timers.schedule(CLIENT_RESPONSE_TIMER, () -> {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            try {
                Outcome stale = new Outcome(staleCopy(e.template(), clock.millis()), 0, false);
                stats.inc(Counter.STALE_SERVED);
                race.complete(stale);
            } catch (RuntimeException ex) {
                race.completeExceptionally(ex);
            }
        });
        shared.whenComplete((s, err) -> {
            timer.cancel();
            if (!answered.compareAndSet(false, true)) {
                return; // the client has its stale answer; the refresh still updated the cache
            }
            if (err != null) {
                race.completeExceptionally(err);
            } else {
                race.complete(deliver(s));
            }
        });
        return race;
    }

    /** The outcome for one client; a stale one is counted for it (each client it reaches, none it does not). */
    private Outcome deliver(Settled s) {
        if (s.stale()) {
            stats.inc(Counter.STALE_SERVED);
        }
        return s.outcome();
    }

    /** One downstream resolution per key in flight; the result is stored (or replaced by a stale answer). */
    private CompletableFuture<Settled> refresh(CacheKey key, DnsRequest request) {
        CompletableFuture<Settled> mine = new CompletableFuture<>();
        CompletableFuture<Settled> existing = inflight.putIfAbsent(key, mine);
        if (existing != null) {
            stats.inc(Counter.COALESCED);
            return existing;
        }
        CompletableFuture<Outcome> downstream;
        try {
            downstream = next.handle(request);
        } catch (RuntimeException ex) {
            downstream = CompletableFuture.failedFuture(ex);
        }
        downstream.whenComplete((o, err) -> {
            inflight.remove(key, mine);
            if (err != null) {
                mine.completeExceptionally(err);
                return;
            }
            try {
                mine.complete(settle(key, o));
            } catch (RuntimeException ex) {
                mine.completeExceptionally(ex);
            }
        });
        return mine;
    }

    private Settled settle(CacheKey key, Outcome o) {
        long now = clock.millis();
        if (o.transientFailure() && staleMillis > 0) {
            ResponseCache.Entry old = cache.get(key, now);
            if (old != null && old.usableStale(now)) {
                // counted by each client it reaches (deliver), not here: when the client-response timer already
                // gave the client a stale answer, this one reaches nobody
                return new Settled(new Outcome(staleCopy(old.template(), now), 0, false), true);
            }
        }
        long ttl = Math.min(o.cacheSeconds(), maxTtlSeconds);
        if (ttl > 0) {
            long created = o.template().createdMillis();
            long expires = created + ttl * 1000;
            cache.put(key, new ResponseCache.Entry(o.template(), expires, expires + staleMillis));
        }
        return new Settled(o, false);
    }

    /** The expired response with every TTL set to {@link #STALE_TTL} and EDE 3 for EDNS clients. */
    private ResponseTemplate staleCopy(ResponseTemplate t, long now) {
        byte[] wire = t.render(t.message().toWire(), false, now, STALE_TTL);
        try {
            Message m = new Message(wire);
            return responses.template(m, ExtendedErrorCodeOption.STALE_ANSWER,
                    "refresh failed; serving an expired answer (RFC 8767)");
        } catch (IOException ex) {
            throw new IllegalStateException("re-reading our own response failed", ex);
        }
    }
}
