package org.p2pdns.node.record;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.dht.ValuePolicy;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.util.LruMap;

/**
 * The DHT's value policy for signed records: validation on STORE and on receipt ({@link #check}), separate from
 * choosing the newer of two valid records ({@link #compareNewer}). Stateless and thread-safe; never throws on input.
 *
 * <p>Checks run cheapest first: size, structure, name/key binding (KEY_MISMATCH), self-certifying owner, times, proof of work,
 * signature, then the comparison with the held record (owner, sequence).
 */
public final class RecordPolicy implements ValuePolicy {

    /** The outcome of checking one value, with the decoded record when it decoded and a reason when refused. */
    public record Verdict(StoreOutcome outcome, SignedRecord record, String detail) {
        /** True when the value is acceptable. */
        public boolean ok() {
            return outcome == StoreOutcome.STORED;
        }
    }

    /** How many verified records {@link #verified} remembers. */
    public static final int VERIFIED_CACHE_SIZE = 4096;

    private final NetworkParams params;
    /**
     * Records whose signature verified, by SHA-256 of their bytes: the same record is validated again and again (every
     * republish, every lookup that receives it), and an Ed25519 verification costs ~100x the hash.
     */
    private final Map<NodeId, SignedRecord> verified = Collections.synchronizedMap(
            LruMap.withMax(VERIFIED_CACHE_SIZE));

    public RecordPolicy(NetworkParams params) {
        this.params = params;
    }

    /** The network parameters this policy enforces. */
    public NetworkParams params() {
        return params;
    }

    @Override
    public StoreOutcome validate(NodeId key, byte[] value, byte[] held, long nowMillis) {
        return check(key, value, held, nowMillis).outcome();
    }

    /** Validates {@code value} for {@code key} against {@code held} (the record already held, or null). */
    public Verdict check(NodeId key, byte[] value, byte[] held, long nowMillis) {
        if (value == null) {
            return refuse(StoreOutcome.MALFORMED, null, "no value");
        }
        if (value.length > MAX_VALUE_BYTES) {
            return refuse(StoreOutcome.TOO_LARGE, null, value.length + " bytes, limit " + MAX_VALUE_BYTES);
        }
        NodeId digest = NodeId.hashOf(value);
        SignedRecord r = verified.get(digest);
        if (r == null) {
            try {
                r = RecordCodec.decode(value);
            } catch (RecordFormatException e) {
                return refuse(StoreOutcome.MALFORMED, null, e.getMessage());
            }
        }
        if (key == null || !key.equals(r.dhtKey())) {
            return refuse(StoreOutcome.KEY_MISMATCH, r, "record for " + r.name() + " offered under key " + key);
        }
        Verdict own = checkAlone(r, nowMillis);
        if (own != null) {
            return own;
        }
        if (held != null) {
            SignedRecord h = decodeOrNull(held);
            if (h == null) {
                return accept(r); // what we hold is garbage: the valid newcomer replaces it
            }
            boolean heldLive = h.expiresAtMillis() > nowMillis;
            if (!h.sameOwner(r)) {
                return heldLive ? refuse(StoreOutcome.WRONG_OWNER, r, r.name() + " is held by another owner key"
                        + " until " + h.expiresAt()) : accept(r);
            }
            if (r.sequence() < h.sequence() || r.sequence() == h.sequence() && !Arrays.equals(value, held)) {
                return refuse(StoreOutcome.OLD_SEQUENCE, r, "sequence " + r.sequence() + " is not higher than held "
                        + h.sequence());
            }
        }
        return accept(r);
    }

    /**
     * Checks a decoded record on its own, with no key and no held record: TLD, self-certifying owner, times, proof of
     * work, signature. Returns null when it passes.
     */
    public Verdict checkAlone(SignedRecord r, long nowMillis) {
        NodeId digest = NodeId.hashOf(r.encoded());
        // a record verified before passed every check that does not depend on the time
        boolean known = verified.containsKey(digest);
        OverlayName name = null;
        if (!known) {
            try {
                name = OverlayName.parse(r.name(), params.tld());
            } catch (InvalidNameException e) {
                return refuse(StoreOutcome.MALFORMED, r, e.getMessage());
            }
            if (name.isSelfCertifying() && !r.ownedBy(name.selfCertifiedKey())) {
                return refuse(StoreOutcome.WRONG_OWNER, r, "self-certifying name " + r.name()
                        + " signed by another key");
            }
        }
        long nowSeconds = Math.floorDiv(nowMillis, 1000L);
        if (r.expiresAt() <= nowSeconds) {
            return refuse(StoreOutcome.EXPIRED, r, "expired at " + r.expiresAt() + ", now " + nowSeconds);
        }
        if (r.issuedAt() > nowSeconds + params.clockSkewTolerance().toSeconds()) {
            return refuse(StoreOutcome.EXPIRED, r, "issued in the future (" + r.issuedAt() + ", now " + nowSeconds
                    + ")");
        }
        if (r.expiresAt() - r.issuedAt() > params.maxRecordTtl().toSeconds()) {
            return refuse(StoreOutcome.EXPIRED, r, "lifetime " + (r.expiresAt() - r.issuedAt())
                    + " s exceeds the network's maximum of " + params.maxRecordTtl().toSeconds() + " s");
        }
        if (known) {
            return null;
        }
        if (!name.isSelfCertifying()
                && !ProofOfWork.verify(r.name(), r.ownerKey(), r.powNonce(), params.nameDifficultyBits())) {
            return refuse(StoreOutcome.BAD_PROOF_OF_WORK, r, "nonce " + r.powNonce() + " does not prove "
                    + params.nameDifficultyBits() + " bits of work for " + r.name());
        }
        if (!r.verifySignature()) {
            return refuse(StoreOutcome.BAD_SIGNATURE, r, "signature does not verify");
        }
        verified.put(digest, r);
        return null;
    }

    /**
     * Positive when {@code a} is newer than {@code b}. Same owner: higher sequence, then later issue time. Different
     * owners (a name freed by expiry and claimed again): later issue time, then later expiry. Ties broken on the bytes
     * so that the order is total.
     */
    @Override
    public int compareNewer(byte[] a, byte[] b) {
        if (Arrays.equals(a, b)) {
            return 0;
        }
        SignedRecord ra = decodeOrNull(a);
        SignedRecord rb = decodeOrNull(b);
        if (ra == null || rb == null) {
            return ra != null ? 1 : rb != null ? -1 : Arrays.compareUnsigned(a, b);
        }
        return compareNewer(ra, rb);
    }

    /** {@link #compareNewer(byte[], byte[])} on decoded records. */
    public static int compareNewer(SignedRecord a, SignedRecord b) {
        int c;
        if (a.sameOwner(b)) {
            c = Long.compare(a.sequence(), b.sequence());
            if (c == 0) {
                c = Long.compare(a.issuedAt(), b.issuedAt());
            }
        } else {
            c = Long.compare(a.issuedAt(), b.issuedAt());
            if (c == 0) {
                c = Long.compare(a.expiresAt(), b.expiresAt());
            }
        }
        return c != 0 ? c : Arrays.compareUnsigned(a.encoded(), b.encoded());
    }

    @Override
    public long expiresAtMillis(byte[] value) {
        SignedRecord r = decodeOrNull(value);
        return r == null ? 0 : r.expiresAtMillis();
    }

    private SignedRecord decodeOrNull(byte[] value) {
        if (value == null) {
            return null;
        }
        SignedRecord known = verified.get(NodeId.hashOf(value));
        if (known != null) {
            return known;
        }
        try {
            return RecordCodec.decode(value);
        } catch (RecordFormatException e) {
            return null;
        }
    }

    private static Verdict refuse(StoreOutcome o, SignedRecord r, String detail) {
        return new Verdict(o, r, detail);
    }

    private static Verdict accept(SignedRecord r) {
        return new Verdict(StoreOutcome.STORED, r, "");
    }
}
