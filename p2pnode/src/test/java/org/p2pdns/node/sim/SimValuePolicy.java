package org.p2pdns.node.sim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.dht.ValuePolicy;
import org.p2pdns.node.identity.NodeId;

/**
 * A stand-in for the record layer in DHT tests: a value is an 8-byte sequence, an 8-byte expiry (epoch millis) and a
 * payload; newer means a higher sequence. A payload starting with "FORGED" fails as a bad signature.
 */
public final class SimValuePolicy implements ValuePolicy {

    public static final SimValuePolicy INSTANCE = new SimValuePolicy();

    /** Builds a value. */
    public static byte[] value(long sequence, long expiresAtMillis, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(16 + p.length).putLong(sequence).putLong(expiresAtMillis).put(p).array();
    }

    public static long sequence(byte[] v) {
        return ByteBuffer.wrap(v).getLong(0);
    }

    public static String payload(byte[] v) {
        return new String(v, 16, v.length - 16, StandardCharsets.UTF_8);
    }

    @Override
    public StoreOutcome validate(NodeId key, byte[] value, byte[] held, long nowMillis) {
        if (value == null || value.length < 16) {
            return StoreOutcome.MALFORMED;
        }
        if (value.length > MAX_VALUE_BYTES) {
            return StoreOutcome.TOO_LARGE;
        }
        if (payload(value).startsWith("FORGED")) {
            return StoreOutcome.BAD_SIGNATURE;
        }
        if (expiresAtMillis(value) <= nowMillis) {
            return StoreOutcome.EXPIRED;
        }
        if (held != null) {
            long s = sequence(value);
            long h = sequence(held);
            if (s < h || (s == h && !Arrays.equals(value, held))) {
                return StoreOutcome.OLD_SEQUENCE;
            }
        }
        return StoreOutcome.STORED;
    }

    @Override
    public int compareNewer(byte[] a, byte[] b) {
        return Long.compare(sequence(a), sequence(b));
    }

    @Override
    public long expiresAtMillis(byte[] value) {
        return ByteBuffer.wrap(value).getLong(8);
    }
}
