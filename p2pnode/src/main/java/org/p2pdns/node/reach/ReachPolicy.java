package org.p2pdns.node.reach;

import java.time.Duration;
import java.util.Arrays;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.dht.TypedValuePolicy;
import org.p2pdns.node.dht.ValuePolicy;
import org.p2pdns.node.identity.IdProofOfWork;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.record.RecordCodec;
import org.p2pdns.node.record.RecordPolicy;

/**
 * The DHT's value policy for reachability records ({@link ReachRecord}): validation on STORE and on receipt, separate
 * from choosing the newer of two valid records. Stateless and thread-safe; never throws on input.
 *
 * <p>Checks run cheapest first; the first failure decides: size (TOO_LARGE), structure (MALFORMED), key = the DHT
 * key of SHA-256(embedded public key) (KEY_MISMATCH), the node id's proof of work (BAD_PROOF_OF_WORK), times
 * (EXPIRED), signature (BAD_SIGNATURE), then against the held record: a lower sequence, or the same with other bytes
 * (OLD_SEQUENCE).
 */
public final class ReachPolicy implements ValuePolicy {

    /** Longest lifetime (expires - issued) a reachability record may claim: they are meant to be short-lived. */
    public static final Duration MAX_LIFETIME = Duration.ofHours(1);

    private final NetworkParams params;

    public ReachPolicy(NetworkParams params) {
        this.params = params;
    }

    /**
     * The DHT's policy on a real network: domain records (first byte 0x01) judged by {@code records}, reachability
     * records (0x02) by a ReachPolicy with the same network parameters.
     */
    public static TypedValuePolicy alongside(RecordPolicy records) {
        return new TypedValuePolicy(java.util.Map.of(RecordCodec.VERSION, records, ReachRecord.TYPE,
                new ReachPolicy(records.params())));
    }

    @Override
    public StoreOutcome validate(NodeId key, byte[] value, byte[] held, long nowMillis) {
        if (value == null) {
            return StoreOutcome.MALFORMED;
        }
        if (value.length > ReachRecord.MAX_BYTES) {
            return StoreOutcome.TOO_LARGE;
        }
        ReachRecord r;
        try {
            r = ReachRecord.decode(value);
        } catch (ReachFormatException e) {
            return StoreOutcome.MALFORMED;
        }
        return check(key, r, held, nowMillis);
    }

    /** Validates a decoded record for {@code key} against {@code held} (the record already held, or null). */
    public StoreOutcome check(NodeId key, ReachRecord r, byte[] held, long nowMillis) {
        NodeId node = r.nodeId();
        if (key == null || !key.equals(ReachRecord.dhtKey(node))) {
            return StoreOutcome.KEY_MISMATCH;
        }
        if (!IdProofOfWork.satisfies(node, params.idDifficultyBits())) {
            return StoreOutcome.BAD_PROOF_OF_WORK;
        }
        long nowSeconds = Math.floorDiv(nowMillis, 1000L);
        if (r.expiresAt() <= nowSeconds || r.issuedAt() > nowSeconds + params.clockSkewTolerance().toSeconds()
                || r.expiresAt() - r.issuedAt() > MAX_LIFETIME.toSeconds()) {
            return StoreOutcome.EXPIRED;
        }
        if (!r.verifySignature()) {
            return StoreOutcome.BAD_SIGNATURE;
        }
        if (held != null) {
            ReachRecord h = decodeOrNull(held);
            if (h != null && (r.sequence() < h.sequence()
                    || r.sequence() == h.sequence() && !Arrays.equals(r.encoded(), held))) {
                return StoreOutcome.OLD_SEQUENCE;
            }
        }
        return StoreOutcome.STORED;
    }

    /** Positive when {@code a} is newer: higher sequence, then the bytes (a total order). */
    @Override
    public int compareNewer(byte[] a, byte[] b) {
        if (Arrays.equals(a, b)) {
            return 0;
        }
        ReachRecord ra = decodeOrNull(a);
        ReachRecord rb = decodeOrNull(b);
        if (ra == null || rb == null) {
            return ra != null ? 1 : rb != null ? -1 : Arrays.compareUnsigned(a, b);
        }
        int c = Long.compare(ra.sequence(), rb.sequence());
        return c != 0 ? c : Arrays.compareUnsigned(a, b);
    }

    @Override
    public long expiresAtMillis(byte[] value) {
        ReachRecord r = decodeOrNull(value);
        return r == null ? 0 : r.expiresAtMillis();
    }

    private static ReachRecord decodeOrNull(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return ReachRecord.decode(value);
        } catch (ReachFormatException e) {
            return null;
        }
    }
}
