package org.p2pdns.node.wire;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.p2pdns.node.dht.Contact;

/**
 * Interns decoded contacts by their encoded bytes (key, family, address, port), so that a contact seen again is not
 * hashed (id = SHA-256 of the key) and allocated again, and so that many nodes in one JVM (the simulator, the
 * benchmark agent) share one instance per peer. Contacts are immutable, so sharing is safe across threads. Bounded:
 * when full, it is cleared (a cache miss only costs a hash).
 */
final class ContactCache {

    static final int MAX_ENTRIES = 1 << 16;

    private static final class Key {
        final byte[] bytes;
        final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final ConcurrentHashMap<Key, Contact> CACHE = new ConcurrentHashMap<>();

    private ContactCache() {
    }

    static Contact get(byte[] encoded) {
        return CACHE.get(new Key(encoded));
    }

    static void put(byte[] encoded, Contact c) {
        if (CACHE.size() >= MAX_ENTRIES) {
            CACHE.clear();
        }
        CACHE.put(new Key(encoded), c);
    }
}
