package org.p2pdns.node.reach;

import java.time.Duration;
import java.util.function.Supplier;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.identity.Ed25519;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.nat.ReachabilityInfo;
import org.p2pdns.node.resolve.RecordDht;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;

/**
 * Publishes this node's signed reachability record in the DHT so that peers can find its introduction servers: as
 * soon as the node is registered and classified, again whenever what it would publish changes (another server, a new
 * reflexive address, a new mapping), and before the record expires (at half its lifetime). A publish that reached no
 * other node is retried after {@link #RETRY}. The sequence is the clock in milliseconds, strictly increasing.
 * Event thread only ({@link #poke} may be called from any thread).
 */
public final class ReachPublisher implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReachPublisher.class);

    /** Lifetime of a published record: short, so that a stale address does not outlive a move by long. */
    public static final Duration LIFETIME = Duration.ofMinutes(5);
    /** How often the publisher checks whether what it would publish changed. */
    public static final Duration CHECK = Duration.ofSeconds(5);
    /** Wait before publishing again after a publish that reached no other node. */
    public static final Duration RETRY = Duration.ofSeconds(10);

    private final byte[] seed;
    private final NodeId self;
    private final Supplier<ReachabilityInfo> current;
    private final RecordDht dht;
    private final Scheduler scheduler;
    private final Duration lifetime;
    private Cancellable timer;
    private boolean publishing;
    private boolean closed;
    private ReachabilityInfo lastInfo;
    private ReachRecord published;
    private long nextAtMillis;
    private long lastSequence;
    private long publishes;
    private long failures;

    /**
     * @param seed     the node's Ed25519 seed (its records are signed with the node key)
     * @param current  what to publish now, or null while the node is not ready (not registered or not classified)
     * @param lifetime how long each record is valid (at most {@link ReachPolicy#MAX_LIFETIME})
     */
    public ReachPublisher(byte[] seed, Supplier<ReachabilityInfo> current, RecordDht dht, Scheduler scheduler,
                          Duration lifetime) {
        if (lifetime.compareTo(Duration.ofSeconds(10)) < 0 || lifetime.compareTo(ReachPolicy.MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("lifetime must be in 10 s.." + ReachPolicy.MAX_LIFETIME);
        }
        this.seed = seed.clone();
        this.self = NodeId.ofPublicKey(Ed25519.publicKeyOf(seed));
        this.current = current;
        this.dht = dht;
        this.scheduler = scheduler;
        this.lifetime = lifetime;
    }

    /** Starts checking every {@link #CHECK}. */
    public void start() {
        scheduler.execute(() -> {
            if (!closed && timer == null) {
                timer = scheduler.scheduleAtFixedRate(Duration.ZERO, CHECK, this::check);
            }
        });
    }

    /** Checks now (the registration or the classification changed). */
    public void poke() {
        scheduler.execute(this::check);
    }

    private void check() {
        if (closed || publishing || timer == null) {
            return;
        }
        ReachabilityInfo info = current.get();
        if (info == null) {
            return;
        }
        long now = scheduler.nowMillis();
        if (info.equals(lastInfo) && now < nextAtMillis) {
            return;
        }
        long sequence = Math.max(now, lastSequence + 1);
        long issued = Math.floorDiv(now, 1000L);
        ReachRecord r = ReachRecord.sign(seed, sequence, issued, issued + lifetime.toSeconds(), info);
        lastSequence = sequence;
        lastInfo = info;
        publishing = true;
        dht.put(r.dhtKey(), r.encoded()).whenComplete((result, e) -> scheduler.execute(() -> {
            publishing = false;
            if (closed) {
                return;
            }
            long t = scheduler.nowMillis();
            if (e == null && reachedOthers(result)) {
                published = r;
                publishes++;
                nextAtMillis = t + lifetime.toMillis() / 2;
                LOG.debug("published reachability {} at {} nodes", info, result.acks());
            } else {
                failures++;
                nextAtMillis = t + RETRY.toMillis();
                LOG.debug("reachability reached no other node ({}); retrying in {}", e != null ? e : result, RETRY);
            }
        }));
    }

    private boolean reachedOthers(PutResult r) {
        for (Contact c : r.storedAt()) {
            if (!c.id().equals(self)) {
                return true;
            }
        }
        return false;
    }

    /** The last record that reached another node, or null. Event thread. */
    public ReachRecord published() {
        return published;
    }

    /** Records published so far (that reached another node). */
    public long publishes() {
        return publishes;
    }

    /** Publishes that reached no other node. */
    public long failures() {
        return failures;
    }

    @Override
    public void close() {
        scheduler.execute(() -> {
            closed = true;
            if (timer != null) {
                timer.cancel();
            }
        });
    }
}
