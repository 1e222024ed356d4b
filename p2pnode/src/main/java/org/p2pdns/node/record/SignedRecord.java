package org.p2pdns.node.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.p2pdns.node.dht.ValuePolicy;
import org.p2pdns.node.identity.NodeId;

/**
 * One signed record: everything published for a registered name, as it travels in the DHT. Immutable; holds its
 * encoded bytes. Create with {@link #sign}, read with {@link RecordCodec#decode}. See docs/record-format.md.
 *
 * @param version     format version ({@link RecordCodec#VERSION})
 * @param name        canonical registered name without trailing dot ({@code example.p2p})
 * @param ownerKey    the owner's Ed25519 public key
 * @param sequence    sequence number; an owner's updates increase it
 * @param issuedAt    issue time, epoch seconds
 * @param expiresAt   expiry time, epoch seconds
 * @param ttl         TTL hint for DNS answers, seconds (also the TTL of every resource record)
 * @param powNonce    registration proof-of-work nonce (0 for self-certifying names)
 * @param records     the resource records in canonical form and order
 * @param signature   Ed25519 signature of {@link #signedBytes()}
 * @param encoded     the whole record as bytes
 */
public record SignedRecord(int version, String name, byte[] ownerKey, long sequence, long issuedAt, long expiresAt,
                           long ttl, long powNonce, List<org.xbill.DNS.Record> records, byte[] signature,
                           byte[] encoded) {

    /** Domain-separation tag prepended to the signed bytes. */
    public static final String SIGNATURE_TAG = "p2pdns-record-sig-v1";
    /** The size cap of an encoded record. */
    public static final int MAX_BYTES = ValuePolicy.MAX_VALUE_BYTES;

    public SignedRecord {
        ownerKey = ownerKey.clone();
        records = List.copyOf(records);
        signature = signature.clone();
        encoded = encoded.clone();
    }

    /**
     * Canonicalises {@code rrs} and signs a record with {@code key}.
     *
     * @throws IllegalArgumentException if a field or resource record breaks a rule
     * @throws RecordTooLargeException  if the encoded record would exceed {@link #MAX_BYTES}
     */
    public static SignedRecord sign(String registeredName, OwnerKey key, long sequence, long issuedAt,
                                    long expiresAt, long ttl, long powNonce, List<org.xbill.DNS.Record> rrs) {
        if (sequence < 0 || issuedAt < 0 || expiresAt <= issuedAt || ttl < 0 || ttl > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("bad record fields: sequence " + sequence + ", issued " + issuedAt
                    + ", expires " + expiresAt + ", ttl " + ttl);
        }
        List<org.xbill.DNS.Record> canonical = RecordSet.canonicalize(rrs, registeredName, ttl);
        byte[] body = RecordCodec.encodeBody(registeredName, key.publicKey(), sequence, issuedAt, expiresAt, ttl,
                powNonce, canonical);
        int size = body.length + OwnerKey.SIGNATURE_BYTES;
        if (size > MAX_BYTES) {
            throw new RecordTooLargeException(registeredName, size, MAX_BYTES);
        }
        byte[] sig = key.sign(signedMessage(body, body.length));
        byte[] encoded = Arrays.copyOf(body, size);
        System.arraycopy(sig, 0, encoded, body.length, sig.length);
        return new SignedRecord(RecordCodec.VERSION, registeredName, key.publicKey(), sequence, issuedAt, expiresAt,
                ttl, powNonce, canonical, sig, encoded);
    }

    /** The message an owner signs: tag || 0x00 || the encoding up to the signature. */
    static byte[] signedMessage(byte[] encoded, int bodyLength) {
        byte[] tag = SIGNATURE_TAG.getBytes(StandardCharsets.US_ASCII);
        byte[] m = new byte[tag.length + 1 + bodyLength];
        System.arraycopy(tag, 0, m, 0, tag.length);
        System.arraycopy(encoded, 0, m, tag.length + 1, bodyLength);
        return m;
    }

    /** The bytes the signature covers (tag, separator, every field before the signature). */
    public byte[] signedBytes() {
        return signedMessage(encoded, encoded.length - OwnerKey.SIGNATURE_BYTES);
    }

    /** True when the signature verifies under {@link #ownerKey()}. */
    public boolean verifySignature() {
        return OwnerKey.verify(ownerKey, signedBytes(), signature);
    }

    /** The DHT key this record belongs under. */
    public NodeId dhtKey() {
        return OverlayName.dhtKey(name);
    }

    /** True when {@code other} has the same owner key. */
    public boolean sameOwner(SignedRecord other) {
        return Arrays.equals(ownerKey, other.ownerKey);
    }

    /** True when {@code publicKey} is the owner key. */
    public boolean ownedBy(byte[] publicKey) {
        return Arrays.equals(ownerKey, publicKey);
    }

    /** Expiry in epoch milliseconds. */
    public long expiresAtMillis() {
        return expiresAt > Long.MAX_VALUE / 1000L ? Long.MAX_VALUE : expiresAt * 1000L;
    }

    /** Encoded size. */
    public int size() {
        return encoded.length;
    }

    @Override
    public byte[] ownerKey() {
        return ownerKey.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public byte[] encoded() {
        return encoded.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedRecord r && Arrays.equals(encoded, r.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "SignedRecord[" + name + " seq=" + sequence + " owner=" + OverlayName.selfCertifyingLabel(ownerKey)
                .substring(0, 8) + " issued=" + issuedAt + " expires=" + expiresAt + " ttl=" + ttl + " rrs="
                + records.size() + " bytes=" + encoded.length + "]";
    }
}
