package org.p2pdns.node.resolve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.p2pdns.node.api.NameResolver;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.record.OverlayName;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.ProofOfWork;
import org.p2pdns.node.record.RecordCodec;
import org.p2pdns.node.record.RecordFormatException;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.store.NodeStore;
import org.p2pdns.node.store.OwnerKeyring;
import org.p2pdns.node.time.Scheduler;

/**
 * The record layer of one node, assembled: what a node's control API and DNS bridge call. Picks the owner key for a
 * name (the key that owns it already, else the keyring key named after the registered label, created on first
 * registration) and delegates to a {@link RecordPublisher} and a {@link RecordResolver}.
 *
 * <p>Assembly order on a real node: {@code NodeStore.open(dataDir)} and {@code new RecordPolicy(params)} first (the
 * DhtNode takes {@code policy} and {@code store.values()}), then the DhtNode, then this with {@code RecordDht.of(dht)}.
 */
public final class RecordService implements NameResolver, AutoCloseable {

    private final NodeStore store;
    private final OwnerKeyring keyring;
    private final RecordPolicy policy;
    private final RecordPublisher publisher;
    private final RecordResolver resolver;

    /**
     * @param powExecutor where registration proofs of work run: a worker thread, never the event thread
     */
    public RecordService(RecordDht dht, NodeStore store, RecordPolicy policy, OwnerKeyring keyring,
                         Scheduler scheduler, Executor powExecutor) {
        this.store = store;
        this.keyring = keyring;
        this.policy = policy;
        Duration lifetime = RecordPublisher.DEFAULT_LIFETIME.compareTo(policy.params().maxRecordTtl()) < 0
                ? RecordPublisher.DEFAULT_LIFETIME : policy.params().maxRecordTtl();
        this.publisher = new RecordPublisher(dht, store, policy.params(), scheduler, powExecutor, lifetime,
                this::findKey);
        this.resolver = new RecordResolver(dht, policy, store, scheduler);
    }

    /** Starts republishing the names this node owns. */
    public void start() {
        publisher.start();
    }

    @Override
    public CompletableFuture<Resolution> resolve(String name) {
        return resolver.resolve(name);
    }

    /** Accepts the current owner key of {@code name} (after an OWNER_CHANGED answer). */
    public void acceptNewOwner(String name) {
        resolver.acceptNewOwner(name);
    }

    /**
     * Publishes or updates {@code name} with the owner key for it (created on first registration as keyring alias
     * {@link #aliasFor}); see {@link RecordPublisher#publish}.
     */
    public CompletableFuture<PublishResult> publish(String name, List<org.xbill.DNS.Record> records, long ttlSeconds,
                                                    ProofOfWork.Progress progress) {
        OwnerKey key;
        try {
            key = keyFor(OverlayName.parse(name, policy.params().tld()));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new UncheckedIOException("owner keyring: " + e.getMessage(), e));
        }
        return publisher.publish(name, records, Duration.ofSeconds(ttlSeconds), key, progress);
    }

    /** Publishes with an explicit owner key. */
    public CompletableFuture<PublishResult> publish(String name, List<org.xbill.DNS.Record> records, Duration ttl,
                                                    OwnerKey key, ProofOfWork.Progress progress) {
        return publisher.publish(name, records, ttl, key, progress);
    }

    /** Stops renewing {@code name}; true if this node owned it. */
    public boolean lapse(String name) {
        return publisher.lapse(name);
    }

    /** The registered names this node publishes. */
    public List<String> ownedNames() {
        return publisher.ownedNames();
    }

    /** Records this node holds for the network. */
    public int recordsHeld() {
        return store.values().size();
    }

    /** The keyring alias of the owner key created for a human-readable registered name: its label. */
    public static String aliasFor(OverlayName name) {
        return name.registered().substring(0, name.registered().indexOf('.'));
    }

    private OwnerKey keyFor(OverlayName name) throws IOException {
        if (!name.isRegistered()) {
            throw new org.p2pdns.node.record.InvalidNameException("publish the registered name " + name.registered()
                    + ": " + name.name() + " belongs in its record set");
        }
        Optional<byte[]> owner = store.owned(name.registered()).flatMap(RecordService::ownerOf);
        if (owner.isEmpty() && name.isSelfCertifying()) {
            owner = Optional.of(name.selfCertifiedKey());
        }
        if (owner.isPresent()) {
            Optional<OwnerKey> k = keyring.findByPublicKey(owner.get());
            if (k.isPresent()) {
                return k.get();
            }
            if (name.isSelfCertifying()) {
                throw new IllegalArgumentException("the key of self-certifying name " + name.registered()
                        + " is not in the owner keyring " + keyring.directory());
            }
        }
        String alias = aliasFor(name);
        if (keyring.list().stream().anyMatch(e -> e.alias().equals(alias))) {
            return keyring.load(alias);
        }
        keyring.generate(alias);
        return keyring.load(alias);
    }

    private Optional<OwnerKey> findKey(byte[] publicKey) {
        try {
            return keyring.findByPublicKey(publicKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<byte[]> ownerOf(byte[] record) {
        try {
            return Optional.of(RecordCodec.decode(record).ownerKey());
        } catch (RecordFormatException e) {
            return Optional.empty();
        }
    }

    /** Stops republishing (the store is closed by whoever opened it). */
    @Override
    public void close() {
        publisher.close();
    }
}
