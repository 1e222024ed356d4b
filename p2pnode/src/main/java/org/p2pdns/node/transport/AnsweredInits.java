package org.p2pdns.node.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The handshake responses a {@link SecureTransport} sent recently, by a SHA-256 digest of the HANDSHAKE_INIT each
 * answered, so that a retransmitted copy of an INIT is answered again with the same bytes: no Diffie-Hellman, no second
 * session, no second delivery of the message it carries. An entry lasts one handshake lifetime (the initiator
 * retransmits only within it); at most {@code capacity} are kept, the oldest dropped first. Event thread only.
 */
final class AnsweredInits {

    /** One answered INIT. */
    static final class Answer {
        final InetSocketAddress from;
        final byte[] response;
        final long expiresAtMillis;
        /** IK: the session the INIT opened (its confirmation ends the need to answer again). */
        final SecureSession session;
        /** XX: the responder state waiting for the FINISH. */
        final PendingHandshake xx;
        int resends;

        Answer(InetSocketAddress from, byte[] response, long expiresAtMillis, SecureSession session,
               PendingHandshake xx) {
            this.from = from;
            this.response = response;
            this.expiresAtMillis = expiresAtMillis;
            this.session = session;
            this.xx = xx;
        }
    }

    private final int capacity;
    // insertion order is expiry order: every entry lives one handshake lifetime
    private final LinkedHashMap<ByteBuffer, Answer> byDigest = new LinkedHashMap<>();

    AnsweredInits(int capacity) {
        this.capacity = capacity;
    }

    /** The key of an INIT packet: SHA-256 of all its bytes, so only an exact copy matches. */
    static ByteBuffer key(byte[] init) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(init));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** The answer to the INIT with {@code key}, if it is still held at {@code now}. */
    Answer get(ByteBuffer key, long now) {
        expire(now);
        return byDigest.get(key);
    }

    void put(ByteBuffer key, Answer a) {
        byDigest.put(key, a);
        while (byDigest.size() > capacity) {
            Iterator<Map.Entry<ByteBuffer, Answer>> it = byDigest.entrySet().iterator();
            it.next();
            it.remove();
        }
    }

    void remove(ByteBuffer key) {
        byDigest.remove(key);
    }

    /** Drops the entries older than one handshake lifetime. */
    void expire(long now) {
        Iterator<Answer> it = byDigest.values().iterator();
        while (it.hasNext() && it.next().expiresAtMillis <= now) {
            it.remove();
        }
    }

    int size() {
        return byDigest.size();
    }

    void clear() {
        byDigest.clear();
    }
}
