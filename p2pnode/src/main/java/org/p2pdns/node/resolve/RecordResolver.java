package org.p2pdns.node.resolve;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.p2pdns.node.api.NameResolver;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.api.ResolveStatus;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.record.InvalidNameException;
import org.p2pdns.node.record.OverlayName;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.store.NodeStore;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;

/**
 * Resolves overlay names through the DHT. Completes with the first valid record whose sequence is at least the highest
 * already seen for the name, without waiting for the lookup to end (the DHT goes on and pushes the newest record to
 * stale replicas). Remembers the owner key first seen for each name (trust on first use) and answers
 * {@link ResolveStatus#OWNER_CHANGED} instead of silently following a new owner; {@link #acceptNewOwner} accepts it.
 * Keeps a small positive cache for the record's TTL and serves a stale answer when the DHT cannot be reached. An answer
 * from this node's own replica waits a short grace for a newer record from the network (see {@link Config}).
 */
public final class RecordResolver implements NameResolver {

    /** TTL of a stale answer (served past its TTL because the DHT could not be reached), as RFC 8767 suggests. */
    public static final long STALE_TTL_SECONDS = 30;

    /**
     * Tuning of a resolver. Immutable.
     *
     * @param timeout    the resolver's own limit: the answer completes (TIMEOUT) by then even if the DHT never answers
     *                   (default 12 s, beyond the DHT's 10 s lookup deadline)
     * @param localGrace how long an answer that comes from this node's own replica, while this node is not among the
     *                   k closest to the name's key, waits for a newer record from the network (default 25 ms). Such a
     *                   copy (cached by a lookup, or kept after the node dropped out of the k closest) can have
     *                   missed an update that the owner's republish brought to the k closest; the grace lets the
     *                   lookup's first replies overrule it without waiting for the whole lookup (or for timeouts
     *                   when peers are dead). A replica among the k closest answers at once
     */
    public record Config(Duration timeout, Duration localGrace) {
        /** 12 s and 25 ms. */
        public static final Config DEFAULT = new Config(Duration.ofSeconds(12), Duration.ofMillis(25));

        public Config {
            if (timeout.isNegative() || timeout.isZero() || localGrace.isNegative()
                    || localGrace.compareTo(timeout) >= 0) {
                throw new IllegalArgumentException("need 0 < timeout and 0 <= localGrace < timeout");
            }
        }
    }

    private final RecordDht dht;
    private final RecordPolicy policy;
    private final NodeStore store;
    private final ValueStore localValues;
    private final Scheduler scheduler;
    private final Duration timeout;
    private final Duration localGrace;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /** A record answered before, and when the answer stops being fresh. */
    private record Cached(SignedRecord record, long freshUntilMillis) {
    }

    /**
     * @param localValues the values this node holds for the DHT (to recognise an answer from its own replica), or null
     */
    public RecordResolver(RecordDht dht, RecordPolicy policy, NodeStore store, ValueStore localValues,
                          Scheduler scheduler, Config config) {
        this.dht = dht;
        this.policy = policy;
        this.store = store;
        this.localValues = localValues;
        this.scheduler = scheduler;
        this.timeout = config.timeout();
        this.localGrace = config.localGrace();
    }

    /** A resolver with {@link Config#DEFAULT} whose node's held values are {@code store.values()}. */
    public RecordResolver(RecordDht dht, RecordPolicy policy, NodeStore store, Scheduler scheduler) {
        this(dht, policy, store, store.values(), scheduler, Config.DEFAULT);
    }

    @Override
    public CompletableFuture<Resolution> resolve(String name) {
        OverlayName n;
        try {
            n = OverlayName.parse(name, policy.params().tld());
        } catch (InvalidNameException e) {
            return CompletableFuture.completedFuture(Resolution.of(ResolveStatus.BAD_NAME, name, e.getMessage()));
        }
        long now = scheduler.nowMillis();
        Cached c = cache.get(n.registered());
        if (c != null && now < c.freshUntilMillis()) {
            long fresh = (c.freshUntilMillis() - now + 999) / 1000;
            return CompletableFuture.completedFuture(found(n, c.record(), now, false, fresh));
        }
        CompletableFuture<Resolution> result = new CompletableFuture<>();
        scheduler.execute(() -> new Lookup(n, result).start());
        return result;
    }

    /**
     * Accepts whatever owner key the name has now: forgets the remembered owner and highest sequence of the name's
     * registered name, so that the next resolution trusts the key it finds.
     */
    public void acceptNewOwner(String name) {
        String reg = OverlayName.parse(name, policy.params().tld()).registered();
        store.forgetOwner(reg);
        cache.remove(reg);
    }

    /** Drops every cached answer. */
    public void clearCache() {
        cache.clear();
    }

    /** One resolution in progress; lives on the event thread. */
    private final class Lookup {
        private final OverlayName name;
        private final String reg;
        private final NodeId key;
        private final CompletableFuture<Resolution> result;
        private Cancellable timer;
        private Cancellable graceTimer;
        /** An acceptable record from this node's own replica, waiting out the grace for a newer one. */
        private SignedRecord local;
        private long olderSeen = -1;
        /** Set when a valid record by another owner key than the remembered one arrived. */
        private String ownerChange;
        private int invalidSeen;

        Lookup(OverlayName name, CompletableFuture<Resolution> result) {
            this.name = name;
            this.reg = name.registered();
            this.key = name.dhtKey();
            this.result = result;
        }

        void start() {
            timer = scheduler.schedule(timeout, () -> ended(null, "no answer within " + timeout.toMillis() + " ms"));
            CompletableFuture<GetResult> get;
            try {
                get = dht.get(key, this::onValue);
            } catch (RuntimeException e) {
                ended(null, "lookup failed: " + e.getMessage());
                return;
            }
            get.whenComplete((g, e) -> scheduler.runOnEventThread(
                    () -> ended(g, e == null ? null : "lookup failed: " + e.getMessage())));
        }

        void onValue(byte[] value) {
            if (result.isDone()) {
                return;
            }
            long now = scheduler.nowMillis();
            // the DHT validated it already; check again because this is where the answer is trusted
            RecordPolicy.Verdict v = policy.check(key, value, null, now);
            if (!v.ok()) {
                invalidSeen++;
                return;
            }
            SignedRecord r = v.record();
            Optional<byte[]> remembered = store.rememberedOwner(reg);
            if (remembered.isPresent() && !r.ownedBy(remembered.get())) {
                // not at once: one node serving another key's record must not hide the remembered owner's record
                // that the rest of the lookup may still bring; the change is reported when the lookup ends
                ownerChange = "the owner key of " + reg + " changed from "
                        + OverlayName.selfCertifyingLabel(remembered.get()) + " to "
                        + OverlayName.selfCertifyingLabel(r.ownerKey()) + "; if you trust the new owner, accept it"
                        + " with 'p2p --accept-owner " + reg + "' (RecordResolver.acceptNewOwner)";
                return;
            }
            long highest = store.highestSequence(reg);
            if (r.sequence() < highest) {
                olderSeen = Math.max(olderSeen, r.sequence());
                return; // a stale replica: wait for a record at least as new as the one seen before
            }
            if (local == null && localGrace.toMillis() > 0 && isLocalReplica(value) && !amongClosest()) {
                local = r;
                graceTimer = scheduler.schedule(localGrace, () -> accept(local));
                return;
            }
            accept(r);
        }

        private boolean amongClosest() {
            try {
                return dht.isAmongClosest(key);
            } catch (RuntimeException e) {
                return false;
            }
        }

        private boolean isLocalReplica(byte[] value) {
            if (localValues == null) {
                return false;
            }
            try {
                ValueStore.Entry e = localValues.get(key);
                return e != null && java.util.Arrays.equals(e.value(), value);
            } catch (RuntimeException e) {
                return false;
            }
        }

        /** Answers with {@code r}: remembers its owner (first use) and sequence, caches it. */
        private void accept(SignedRecord r) {
            if (result.isDone()) {
                return;
            }
            long now = scheduler.nowMillis();
            if (store.rememberedOwner(reg).isEmpty()) {
                store.rememberOwner(reg, r.ownerKey());
            }
            store.raiseHighestSequence(reg, r.sequence());
            long ttlMillis = Math.min(r.ttl() * 1000, r.expiresAtMillis() - now);
            cache.put(reg, new Cached(r, now + Math.max(0, ttlMillis)));
            finish(found(name, r, now, false, r.ttl()));
        }

        void ended(GetResult g, String failure) {
            if (result.isDone()) {
                return;
            }
            if (local != null) {
                accept(local); // the lookup is over and found nothing newer than our own replica
                return;
            }
            if (ownerChange != null) {
                finish(Resolution.of(ResolveStatus.OWNER_CHANGED, name.registeredAbsolute(), ownerChange));
                return;
            }
            if (g == null) {
                finishOrStale(ResolveStatus.TIMEOUT, failure);
                return;
            }
            switch (g.status()) {
                case FOUND -> {
                    if (olderSeen >= 0) {
                        finishOrStale(ResolveStatus.INVALID, "only records older than the highest sequence seen for "
                                + reg + " (" + store.highestSequence(reg) + ") were found, newest " + olderSeen);
                    } else {
                        finishOrStale(ResolveStatus.INVALID, "the lookup found no record this resolver accepts"
                                + (invalidSeen > 0 ? " (" + invalidSeen + " invalid)" : ""));
                    }
                }
                case NOT_FOUND -> finish(Resolution.of(ResolveStatus.NOT_FOUND, name.registeredAbsolute(),
                        "the nodes closest to " + reg + " hold no record for it"));
                case TIMEOUT -> finishOrStale(ResolveStatus.TIMEOUT, "the lookup for " + reg
                        + " timed out after asking " + g.contacted() + " nodes");
                case NO_PEERS -> finishOrStale(ResolveStatus.NO_PEERS, "this node has no peers to ask");
                case ALL_INVALID -> finishOrStale(ResolveStatus.INVALID, "every record received for " + reg
                        + " was invalid (forged, expired or rolled back)");
            }
        }

        /** Serves a cached record past its TTL (marked stale) while it has not expired; else the failure. */
        private void finishOrStale(ResolveStatus status, String detail) {
            long now = scheduler.nowMillis();
            Cached c = cache.get(reg);
            if (c != null && status != ResolveStatus.INVALID && c.record().expiresAtMillis() > now) {
                finish(found(name, c.record(), now, true, STALE_TTL_SECONDS));
            } else {
                finish(Resolution.of(status, name.registeredAbsolute(), detail));
            }
        }

        private void finish(Resolution r) {
            if (timer != null) {
                timer.cancel();
            }
            if (graceTimer != null) {
                graceTimer.cancel();
            }
            result.complete(r);
        }
    }

    /** An answer with TTL min({@code ttl}, seconds until the record expires). */
    private static Resolution found(OverlayName n, SignedRecord r, long nowMillis, boolean stale, long ttl) {
        long untilExpiry = Math.max(0, (r.expiresAtMillis() - nowMillis) / 1000);
        return new Resolution(ResolveStatus.FOUND, n.registeredAbsolute(), r.records(), Math.min(ttl, untilExpiry),
                r.expiresAtMillis(), r.sequence(), stale, "");
    }
}
