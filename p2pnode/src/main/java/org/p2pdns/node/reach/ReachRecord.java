package org.p2pdns.node.reach;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.p2pdns.node.identity.Ed25519;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroDecodeException;
import org.p2pdns.node.nat.ReachabilityInfo;

/**
 * A node's signed reachability record: how to reach it (its NAT mapping, reflexive endpoint and introduction servers),
 * signed by its node key, as stored in the DHT under {@link #dhtKey(NodeId)}. Immutable; holds its encoded bytes.
 * Layout (docs/nat-traversal.md): type {@code 0x02}, node public key (32), sequence (8), issued (8, epoch s), expires
 * (8, epoch s), {@link ReachabilityInfo} (self-delimiting), Ed25519 signature (64).
 *
 * @param publicKey the node's Ed25519 public key (node id = SHA-256 of it)
 * @param sequence  increases with every record the node publishes (publishers use their clock in milliseconds)
 * @param issuedAt  issue time, epoch seconds
 * @param expiresAt expiry time, epoch seconds, after {@code issuedAt}
 * @param info      how to reach the node
 * @param signature Ed25519 signature of {@link #signedBytes()}
 * @param encoded   the whole record as bytes
 */
public record ReachRecord(byte[] publicKey, long sequence, long issuedAt, long expiresAt, ReachabilityInfo info,
                          byte[] signature, byte[] encoded) {

    /** The first byte: the value type of reachability records (domain records start with 0x01). */
    public static final int TYPE = 0x02;
    /** Domain-separation tag of the DHT key. */
    public static final String KEY_TAG = "p2pdns-reach-v1";
    /** Domain-separation tag prepended to the signed bytes. */
    public static final String SIGNATURE_TAG = "p2pdns-reach-sig-v1";
    /** Bytes before the reachability info. */
    static final int HEADER_BYTES = 1 + 32 + 8 + 8 + 8;
    /** Size cap of an encoded record: the largest possible one (IPv6 endpoints, 4 servers) is 219 bytes. */
    public static final int MAX_BYTES = 256;

    public ReachRecord {
        publicKey = publicKey.clone();
        signature = signature.clone();
        encoded = encoded.clone();
    }

    /** Signs a record for the node whose Ed25519 seed is {@code seed}. */
    public static ReachRecord sign(byte[] seed, long sequence, long issuedAt, long expiresAt, ReachabilityInfo info) {
        if (sequence < 0 || issuedAt < 0 || expiresAt <= issuedAt) {
            throw new IllegalArgumentException("bad reachability record fields: sequence " + sequence + ", issued "
                    + issuedAt + ", expires " + expiresAt);
        }
        byte[] pub = Ed25519.publicKeyOf(seed);
        byte[] inf = info.encode();
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + inf.length + Ed25519.SIGNATURE_BYTES);
        b.put((byte) TYPE).put(pub).putLong(sequence).putLong(issuedAt).putLong(expiresAt).put(inf);
        byte[] body = Arrays.copyOf(b.array(), b.position());
        byte[] sig = Ed25519.sign(seed, pub, signedMessage(body, body.length));
        b.put(sig);
        return new ReachRecord(pub, sequence, issuedAt, expiresAt, info, sig, b.array());
    }

    /**
     * Decodes and checks the structure (not the signature, times or key binding: that is {@link ReachPolicy}'s job).
     *
     * @throws ReachFormatException saying what is wrong; never any other exception
     */
    public static ReachRecord decode(byte[] b) throws ReachFormatException {
        if (b == null) {
            throw new ReachFormatException("no bytes");
        }
        if (b.length > MAX_BYTES) {
            throw new ReachFormatException(b.length + " bytes, limit " + MAX_BYTES);
        }
        if (b.length < HEADER_BYTES + Ed25519.SIGNATURE_BYTES) {
            throw new ReachFormatException("truncated reachability record (" + b.length + " bytes)");
        }
        if ((b[0] & 0xff) != TYPE) {
            throw new ReachFormatException("not a reachability record (type " + (b[0] & 0xff) + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(b);
        in.get();
        byte[] pub = new byte[32];
        in.get(pub);
        long sequence = in.getLong();
        long issued = in.getLong();
        long expires = in.getLong();
        if (sequence < 0 || issued < 0 || expires <= issued) {
            throw new ReachFormatException("bad times or sequence: sequence " + sequence + ", issued " + issued
                    + ", expires " + expires);
        }
        int infoEnd = b.length - Ed25519.SIGNATURE_BYTES;
        ReachabilityInfo info;
        try {
            info = ReachabilityInfo.decode(Arrays.copyOfRange(b, HEADER_BYTES, infoEnd));
        } catch (IntroDecodeException e) {
            throw new ReachFormatException("reachability info: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ReachFormatException("reachability info: " + e, e);
        }
        byte[] sig = Arrays.copyOfRange(b, infoEnd, b.length);
        return new ReachRecord(pub, sequence, issued, expires, info, sig, b);
    }

    /** The message a node signs: tag || 0x00 || the encoding up to the signature. */
    static byte[] signedMessage(byte[] encoded, int bodyLength) {
        byte[] tag = SIGNATURE_TAG.getBytes(StandardCharsets.US_ASCII);
        byte[] m = new byte[tag.length + 1 + bodyLength];
        System.arraycopy(tag, 0, m, 0, tag.length);
        System.arraycopy(encoded, 0, m, tag.length + 1, bodyLength);
        return m;
    }

    /** The bytes the signature covers (tag, separator, every field before the signature). */
    public byte[] signedBytes() {
        return signedMessage(encoded, encoded.length - Ed25519.SIGNATURE_BYTES);
    }

    /** True when the signature verifies under {@link #publicKey()}. */
    public boolean verifySignature() {
        return Ed25519.verify(publicKey, signedBytes(), signature);
    }

    /** The publishing node's id: SHA-256 of its public key. */
    public NodeId nodeId() {
        return NodeId.ofPublicKey(publicKey);
    }

    /** The DHT key this record belongs under. */
    public NodeId dhtKey() {
        return dhtKey(nodeId());
    }

    /** The DHT key of {@code node}'s reachability record: SHA-256("p2pdns-reach-v1" || 0x00 || node id). */
    public static NodeId dhtKey(NodeId node) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(KEY_TAG.getBytes(StandardCharsets.US_ASCII));
            md.update((byte) 0);
            md.update(node.toBytes());
            return NodeId.of(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** Expiry in epoch milliseconds. */
    public long expiresAtMillis() {
        return expiresAt > Long.MAX_VALUE / 1000L ? Long.MAX_VALUE : expiresAt * 1000L;
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
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
        return o instanceof ReachRecord r && Arrays.equals(encoded, r.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "ReachRecord[" + nodeId().shortHex() + " seq " + sequence + ", " + info + ", expires " + expiresAt
                + "]";
    }
}
