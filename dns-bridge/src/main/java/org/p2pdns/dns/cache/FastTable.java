package org.p2pdns.dns.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.p2pdns.dns.wire.PackedAnswer;

/**
 * A direct-mapped table of {@link PackedAnswer}s in front of {@link ResponseCache}'s map, for the UDP fast path: one
 * slot per hash, the last answer put there wins. It is a cache of the cache: a slot only ever holds an answer the map
 * held, each answer carries its own key and expiry and is checked against both, so a lookup finds the right fresh
 * answer or nothing (and then the map is asked). Lock-free; slots are published with release/acquire semantics.
 * A byte per slot records use since the map's eviction last looked, standing in for the map's second-chance flag.
 */
final class FastTable {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(byte[][].class);
    /** Most slots: 64Ki references (256 KiB), enough for the working set of a host's resolver. */
    static final int MAX_SLOTS = 1 << 16;

    private final byte[][] slots;
    private final byte[] used;
    private final int mask;

    /** A table for a cache of {@code capacity} answers: twice as many slots (a power of two), at most {@link #MAX_SLOTS}. */
    FastTable(int capacity) {
        int want = Math.max(256, Math.min(MAX_SLOTS, 2 * Math.max(1, capacity)));
        int n = Integer.highestOneBit(want - 1) << 1;
        this.slots = new byte[n][];
        this.used = new byte[n];
        this.mask = n - 1;
    }

    private int index(int hash) {
        return (hash ^ (hash >>> 16)) & mask;
    }

    /** What {@code hash}'s slot holds now (any answer, or null). */
    byte[] peek(int hash) {
        return (byte[]) SLOT.getAcquire(slots, index(hash));
    }

    /** Records a use of {@code hash}'s slot (for eviction). */
    void markUsed(int hash) {
        int i = index(hash);
        if (used[i] == 0) {
            used[i] = 1; // a racy flag: a lost update costs at most an early eviction
        }
    }

    /**
     * Puts {@code packed} in its slot if the slot still holds {@code seen} (read by {@link #peek} before the map was
     * asked): a reader putting back what it found in the map never overwrites a newer answer a writer put meanwhile.
     */
    void putIfStill(byte[] seen, byte[] packed) {
        int i = index(PackedAnswer.hash(packed));
        if (SLOT.compareAndSet(slots, i, seen, packed)) {
            used[i] = 1;
        }
    }

    /** Puts a new answer in its slot (not marked used: like the map's entries it starts without a second chance). */
    void put(byte[] packed) {
        int i = index(PackedAnswer.hash(packed));
        used[i] = 0;
        SLOT.setRelease(slots, i, packed);
    }

    /** Empties the slot if it holds {@code packed}. */
    void remove(byte[] packed) {
        SLOT.compareAndSet(slots, index(PackedAnswer.hash(packed)), packed, null);
    }

    /** Whether {@code packed} was used through this table since the last call, which clears the mark. */
    boolean takeUsed(byte[] packed) {
        int i = index(PackedAnswer.hash(packed));
        if (SLOT.getAcquire(slots, i) != packed || used[i] == 0) {
            return false;
        }
        used[i] = 0;
        return true;
    }

    void clear() {
        for (int i = 0; i < slots.length; i++) {
            SLOT.setRelease(slots, i, null);
        }
    }
}
