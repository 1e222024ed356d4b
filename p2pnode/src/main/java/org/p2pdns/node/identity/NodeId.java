package org.p2pdns.node.identity;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 256-bit identifier in the DHT's key space: a node id (SHA-256 of the node's Ed25519 public key) or a record key.
 * Immutable; compares as an unsigned big-endian number.
 */
public final class NodeId implements Comparable<NodeId> {

    /** Length in bytes. */
    public static final int BYTES = 32;
    /** Length in bits. */
    public static final int BITS = 256;

    private final byte[] bytes;
    private final int hash;

    private NodeId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Wraps a copy of 32 bytes. */
    public static NodeId of(byte[] bytes) {
        if (bytes == null || bytes.length != BYTES) {
            throw new IllegalArgumentException("a node id is " + BYTES + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return new NodeId(bytes.clone());
    }

    /** Reads 32 bytes at {@code offset}. */
    public static NodeId of(byte[] buf, int offset) {
        if (offset < 0 || buf.length - offset < BYTES) {
            throw new IllegalArgumentException("not enough bytes for a node id");
        }
        return new NodeId(Arrays.copyOfRange(buf, offset, offset + BYTES));
    }

    /** The id of a node: SHA-256 of its Ed25519 public key. */
    public static NodeId ofPublicKey(byte[] publicKey) {
        return new NodeId(sha256(publicKey));
    }

    /** SHA-256 of {@code data} as an id (for record keys, use the domain-separated form of the record layer). */
    public static NodeId hashOf(byte[] data) {
        return new NodeId(sha256(data));
    }

    /** SHA-256 of UTF-8 {@code text}. */
    public static NodeId hashOf(String text) {
        return hashOf(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses 64 hex digits. */
    public static NodeId fromHex(String hex) {
        if (hex == null || hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("a node id is 64 hex digits");
        }
        return new NodeId(HexFormat.of().parseHex(hex));
    }

    /** A random id from {@code random} (seeded in tests and the simulator). */
    public static NodeId random(java.util.Random random) {
        byte[] b = new byte[BYTES];
        random.nextBytes(b);
        return new NodeId(b);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Writes the 32 bytes into {@code out} at {@code offset}. */
    public void writeTo(byte[] out, int offset) {
        System.arraycopy(bytes, 0, out, offset, BYTES);
    }

    /** Byte {@code i} (0 = most significant). */
    public int byteAt(int i) {
        return bytes[i] & 0xff;
    }

    /** XOR distance to {@code other}, as an id. */
    public NodeId xor(NodeId other) {
        byte[] d = new byte[BYTES];
        for (int i = 0; i < BYTES; i++) {
            d[i] = (byte) (bytes[i] ^ other.bytes[i]);
        }
        return new NodeId(d);
    }

    /**
     * Compares the distances of {@code a} and {@code b} to this id without allocating: negative when {@code a} is
     * closer.
     */
    public int compareDistance(NodeId a, NodeId b) {
        for (int i = 0; i < BYTES; i++) {
            int da = (a.bytes[i] ^ bytes[i]) & 0xff;
            int db = (b.bytes[i] ^ bytes[i]) & 0xff;
            if (da != db) {
                return Integer.compare(da, db);
            }
        }
        return 0;
    }

    /** Number of leading bits this id shares with {@code other} (256 when equal). */
    public int commonPrefixLength(NodeId other) {
        for (int i = 0; i < BYTES; i++) {
            int x = (bytes[i] ^ other.bytes[i]) & 0xff;
            if (x != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return BITS;
    }

    /** Number of leading zero bits of this id. */
    public int leadingZeroBits() {
        for (int i = 0; i < BYTES; i++) {
            int x = bytes[i] & 0xff;
            if (x != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return BITS;
    }

    /** The id as an unsigned number. */
    public BigInteger toBigInteger() {
        return new BigInteger(1, bytes);
    }

    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** The first 8 hex digits, for logs. */
    public String shortHex() {
        return toHex().substring(0, 8);
    }

    @Override
    public int compareTo(NodeId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId n && hash == n.hash && Arrays.equals(bytes, n.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return shortHex();
    }
}
