package org.p2pdns.node.resolve;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.record.InvalidNameException;
import org.p2pdns.node.record.OverlayName;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.ProofOfWork;
import org.p2pdns.node.record.RecordCodec;
import org.p2pdns.node.record.RecordFormatException;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.store.NodeStore;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the records this node's user owns and keeps them alive: signs with the next sequence, persists them as
 * owned, stores them in the DHT, republishes every owned record every {@code republishInterval} and re-signs it (sequence
 * + 1, fresh expiry) once at most half of its lifetime remains. State changes run on the node's scheduler; the
 * registration proof of work runs on {@code powExecutor}.
 */
public final class RecordPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordPublisher.class);

    /** Default lifetime of a signed record (capped by the network's maxRecordTtl). */
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(1);

    private final RecordDht dht;
    private final NodeStore store;
    private final NetworkParams params;
    private final Scheduler scheduler;
    private final Executor powExecutor;
    private final Duration lifetime;
    private final Function<byte[], Optional<OwnerKey>> keyLookup;
    /** Keys used to publish in this process, by public key label: needed to re-sign. */
    private final Map<String, OwnerKey> keys = new ConcurrentHashMap<>();
    private Cancellable republishTask;

    /**
     * @param powExecutor where proofs of work run (a worker pool on a real node; {@code Runnable::run} in
     *                    deterministic tests)
     * @param lifetime    expiry minus issue time of the records signed here; at most maxRecordTtl and more than two
     *                    republish intervals, so that renewal at half-life happens in time
     * @param keyLookup   finds an owner key by public key (e.g. in the {@code OwnerKeyring}) to re-sign records
     *                    published by an earlier run of the node
     */
    public RecordPublisher(RecordDht dht, NodeStore store, NetworkParams params, Scheduler scheduler,
                           Executor powExecutor, Duration lifetime, Function<byte[], Optional<OwnerKey>> keyLookup) {
        if (lifetime.compareTo(params.maxRecordTtl()) > 0) {
            throw new IllegalArgumentException("lifetime " + lifetime + " exceeds maxRecordTtl " + params.maxRecordTtl());
        }
        if (lifetime.compareTo(params.republishInterval().multipliedBy(2)) <= 0) {
            throw new IllegalArgumentException("lifetime " + lifetime + " must exceed two republish intervals ("
                    + params.republishInterval() + ")");
        }
        this.dht = dht;
        this.store = store;
        this.params = params;
        this.scheduler = scheduler;
        this.powExecutor = powExecutor;
        this.lifetime = lifetime;
        this.keyLookup = keyLookup;
    }

    /** A publisher with {@link #DEFAULT_LIFETIME} (capped by maxRecordTtl) that re-signs only with keys it has seen. */
    public RecordPublisher(RecordDht dht, NodeStore store, NetworkParams params, Scheduler scheduler,
                           Executor powExecutor) {
        this(dht, store, params, scheduler, powExecutor,
                DEFAULT_LIFETIME.compareTo(params.maxRecordTtl()) < 0 ? DEFAULT_LIFETIME : params.maxRecordTtl(),
                k -> Optional.empty());
    }

    /** Starts republishing every owned record every republishInterval (first run after one interval). */
    public void start() {
        scheduler.execute(() -> {
            if (republishTask == null) {
                republishTask = scheduler.scheduleAtFixedRate(params.republishInterval(), params.republishInterval(),
                        this::republishAll);
            }
        });
    }

    /** {@link #publish(String, List, Duration, OwnerKey, ProofOfWork.Progress)} without progress reports. */
    public CompletableFuture<PublishResult> publish(String name, List<org.xbill.DNS.Record> rrs, Duration ttl,
                                                    OwnerKey key) {
        return publish(name, rrs, ttl, key, ProofOfWork.Progress.NONE);
    }

    /**
     * Signs {@code rrs} as the record of the registered name {@code name} with the next sequence, persists it as owned
     * and stores it in the DHT. Fails (exceptionally) with {@link InvalidNameException}, {@link
     * org.p2pdns.node.record.RecordTooLargeException} or {@link IllegalArgumentException} for a bad name, a record set
     * over the size cap or a bad record set; computes the registration proof of work first if this owner has none for
     * the name, reporting to {@code progress}.
     */
    public CompletableFuture<PublishResult> publish(String name, List<org.xbill.DNS.Record> rrs, Duration ttl,
                                                    OwnerKey key, ProofOfWork.Progress progress) {
        OverlayName n;
        long ttlSeconds;
        try {
            n = OverlayName.parse(name, params.tld());
            if (!n.isRegistered()) {
                throw new InvalidNameException("publish the registered name " + n.registered() + ": " + n.name()
                        + " belongs in its record set");
            }
            if (n.isSelfCertifying() && !java.util.Arrays.equals(n.selfCertifiedKey(), key.publicKey())) {
                throw new IllegalArgumentException(n.name() + " is self-certifying: only the key it names can sign"
                        + " it, not " + key.selfCertifyingLabel());
            }
            ttlSeconds = ttl.toSeconds();
            if (ttl.isNegative() || ttl.compareTo(lifetime) > 0) {
                throw new IllegalArgumentException("TTL must be between 0 and the record lifetime " + lifetime
                        + ", got " + ttl);
            }
            // fail fast on the size and the record set before any proof of work
            long now = scheduler.nowMillis() / 1000;
            SignedRecord.sign(n.registered(), key, 0, now, now + lifetime.toSeconds(), ttlSeconds, 0, rrs);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        keys.put(key.selfCertifyingLabel(), key);
        String reg = n.registered();
        CompletableFuture<Long> nonce = n.isSelfCertifying()
                ? CompletableFuture.completedFuture(0L)
                : knownNonce(reg, key).map(CompletableFuture::completedFuture).orElseGet(() ->
                        CompletableFuture.supplyAsync(() -> ProofOfWork.solve(reg, key.publicKey(),
                                params.nameDifficultyBits(), progress), powExecutor));
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        nonce.whenComplete((pow, powError) -> scheduler.execute(() -> {
            if (powError != null) {
                result.completeExceptionally(powError);
                return;
            }
            try {
                SignedRecord r = signNext(reg, key, rrs, ttlSeconds, pow);
                put(r).whenComplete((pr, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(pr);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }));
        return result;
    }

    /** The nonce of the owned record of {@code name}, if it is this owner's and still proves enough work. */
    private Optional<Long> knownNonce(String name, OwnerKey key) {
        return store.owned(name).flatMap(RecordPublisher::decode)
                .filter(r -> r.ownedBy(key.publicKey()))
                .map(SignedRecord::powNonce)
                .filter(nn -> ProofOfWork.verify(name, key.publicKey(), nn, params.nameDifficultyBits()));
    }

    /** Signs with a sequence above every one known for the name, persists as owned. On the event thread. */
    private SignedRecord signNext(String name, OwnerKey key, List<org.xbill.DNS.Record> rrs, long ttlSeconds,
                                  long pow) {
        long nowSeconds = scheduler.nowMillis() / 1000;
        long highest = store.highestSequence(name);
        Optional<SignedRecord> owned = store.owned(name).flatMap(RecordPublisher::decode);
        if (owned.isPresent()) {
            highest = Math.max(highest, owned.get().sequence());
        }
        // at least the current time in seconds: an owner publishing from two nodes still moves forward
        long sequence = Math.max(highest + 1, nowSeconds);
        SignedRecord r = SignedRecord.sign(name, key, sequence, nowSeconds, nowSeconds + lifetime.toSeconds(),
                ttlSeconds, pow, rrs);
        store.putOwned(name, r.encoded());
        store.raiseHighestSequence(name, sequence);
        if (store.rememberedOwner(name).isEmpty()) {
            store.rememberOwner(name, key.publicKey());
        }
        return r;
    }

    private CompletableFuture<PublishResult> put(SignedRecord r) {
        return dht.put(r.dhtKey(), r.encoded()).thenApply(pr -> toResult(r, pr));
    }

    private static PublishResult toResult(SignedRecord r, PutResult pr) {
        Map<StoreOutcome, Integer> refused = new EnumMap<>(StoreOutcome.class);
        pr.outcomes().forEach((o, count) -> {
            if (o != StoreOutcome.STORED && count > 0) {
                refused.put(o, count);
            }
        });
        return new PublishResult(r, pr.acks(), refused, pr.storedAt());
    }

    /** Stops renewing {@code name} and forgets it as owned; its record then expires. True if it was owned. */
    public boolean lapse(String name) {
        String reg = OverlayName.parse(name, params.tld()).registered();
        boolean owned = store.owned(reg).isPresent();
        store.removeOwned(reg);
        return owned;
    }

    /** The names this node publishes. */
    public List<String> ownedNames() {
        return List.copyOf(store.allOwned().keySet());
    }

    /**
     * Republishes every owned record now (re-signing those past half their lifetime); completes with how many were
     * sent once every put has ended. Runs on the event thread.
     */
    public CompletableFuture<Integer> republishAll() {
        List<CompletableFuture<PublishResult>> puts = new java.util.ArrayList<>();
        long nowMillis = scheduler.nowMillis();
        for (Map.Entry<String, byte[]> e : store.allOwned().entrySet()) {
            Optional<SignedRecord> decoded = decode(e.getValue());
            if (decoded.isEmpty()) {
                LOG.warn("owned record for {} does not decode; dropping it", e.getKey());
                store.removeOwned(e.getKey());
                continue;
            }
            SignedRecord r = decoded.get();
            long remaining = r.expiresAtMillis() - nowMillis;
            long life = (r.expiresAt() - r.issuedAt()) * 1000;
            if (remaining <= life / 2) {
                Optional<OwnerKey> key = findKey(r.ownerKey());
                if (key.isPresent()) {
                    try {
                        r = signNext(r.name(), key.get(), r.records(), r.ttl(), r.powNonce());
                    } catch (RuntimeException ex) {
                        LOG.warn("cannot re-sign {}: {}", r.name(), ex.getMessage());
                    }
                } else if (remaining <= 0) {
                    LOG.warn("owned record for {} expired and its owner key is not available to renew it", r.name());
                    continue;
                }
            }
            puts.add(put(r));
        }
        return CompletableFuture.allOf(puts.toArray(new CompletableFuture<?>[0]))
                .handle((v, ex) -> puts.size());
    }

    private Optional<OwnerKey> findKey(byte[] publicKey) {
        OwnerKey k = keys.get(OverlayName.selfCertifyingLabel(publicKey));
        if (k != null) {
            return Optional.of(k);
        }
        try {
            Optional<OwnerKey> found = keyLookup.apply(publicKey);
            found.ifPresent(f -> keys.put(f.selfCertifyingLabel(), f));
            return found;
        } catch (RuntimeException e) {
            LOG.warn("owner key lookup failed: {}", e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<SignedRecord> decode(byte[] b) {
        try {
            return Optional.of(RecordCodec.decode(b));
        } catch (RecordFormatException e) {
            return Optional.empty();
        }
    }

    /** Stops republishing. */
    @Override
    public void close() {
        scheduler.execute(() -> {
            if (republishTask != null) {
                republishTask.cancel();
                republishTask = null;
            }
        });
    }
}
