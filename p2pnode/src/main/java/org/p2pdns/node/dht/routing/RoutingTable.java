package org.p2pdns.node.dht.routing;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeId;

/**
 * Kademlia routing table: 256 buckets indexed by the length of the prefix a contact shares with this node, each
 * holding at most k contacts ordered least-recently seen first, plus a replacement cache of up to k newer contacts.
 *
 * <p>Sans-IO: {@link #offer} says whether the caller must ping a bucket's least-recently-seen contact; the caller
 * reports the ping with {@link #onAlive} or {@link #onPingFailed}. A full bucket keeps its long-lived contacts: a new
 * contact only replaces one that failed to answer. At most {@code maxPerPrefixPerBucket} contacts of one IPv4 /24 or
 * IPv6 /48 share a bucket and at most {@code maxPerPrefixPerTable} the table (loopback exempt unless configured).
 * Not thread-safe: used on the node's event thread.
 */
public final class RoutingTable {

    /** What {@link #offer} did. */
    public enum Result {
        /** Added to its bucket. */
        ADDED,
        /** Already known: marked as seen now. */
        UPDATED,
        /** Bucket full: kept in the replacement cache; ping {@link Offer#toPing()} (the least-recently seen). */
        PING_OLDEST,
        /** Bucket full and its oldest is already being pinged: kept in the replacement cache. */
        CACHED,
        /** Refused: its /24 or /48 already has the most contacts allowed. */
        PREFIX_LIMIT,
        /** Refused: its id is not SHA-256 of its key. */
        BAD_ID,
        /** Refused: its id fails the proof of work. */
        BAD_POW,
        /** Refused: it is this node. */
        SELF
    }

    /** The outcome of an offer and, for {@link Result#PING_OLDEST}, whom to ping. */
    public record Offer(Result result, Contact toPing) {
    }

    /** Consecutive failed requests after which a contact is dropped (replaced from the cache when possible). */
    public static final int MAX_FAILURES = 2;

    private static final class Entry {
        Contact contact;
        final long firstSeen;
        long lastSeen;
        int failures;

        Entry(Contact contact, long now) {
            this.contact = contact;
            this.firstSeen = now;
            this.lastSeen = now;
        }
    }

    private static final class Bucket {
        final ArrayList<Entry> entries = new ArrayList<>(4);
        ArrayList<Entry> replacements;
        NodeId pinging;
        long lastChanged;
    }

    private final NodeId self;
    private final int k;
    private final int maxPerPrefixPerBucket;
    private final int maxPerPrefixPerTable;
    private final boolean limitLoopback;
    private final int idDifficultyBits;
    private final Bucket[] buckets = new Bucket[NodeId.BITS];
    private final Map<Long, Integer> perPrefix = new HashMap<>();
    private int size;

    public RoutingTable(NodeId self, int k, int maxPerPrefixPerBucket, int maxPerPrefixPerTable,
                        boolean limitLoopback, int idDifficultyBits) {
        this.self = self;
        this.k = k;
        this.maxPerPrefixPerBucket = maxPerPrefixPerBucket;
        this.maxPerPrefixPerTable = maxPerPrefixPerTable;
        this.limitLoopback = limitLoopback;
        this.idDifficultyBits = idDifficultyBits;
    }

    public NodeId self() {
        return self;
    }

    /** Bucket index of {@code id}: the number of leading bits it shares with this node (0..255). */
    public int bucketIndex(NodeId id) {
        return Math.min(self.commonPrefixLength(id), NodeId.BITS - 1);
    }

    private Bucket bucket(int i, boolean create) {
        Bucket b = buckets[i];
        if (b == null && create) {
            b = new Bucket();
            buckets[i] = b;
        }
        return b;
    }

    private static Entry find(List<Entry> list, NodeId id) {
        if (list == null) {
            return null;
        }
        for (Entry e : list) {
            if (e.contact.id().equals(id)) {
                return e;
            }
        }
        return null;
    }

    private boolean limited(InetAddress a) {
        return limitLoopback || !a.isLoopbackAddress();
    }

    /**
     * A contact was heard from directly (a request from it or a reply to us) at {@code now}. Known contacts are moved
     * to the most-recently-seen end and their failure count cleared; new ones are checked, then added, cached or
     * refused.
     */
    public Offer offer(Contact c, long now) {
        if (c.id().equals(self)) {
            return new Offer(Result.SELF, null);
        }
        Bucket b = bucket(bucketIndex(c.id()), true);
        Entry e = find(b.entries, c.id());
        if (e != null) {
            e.lastSeen = now;
            e.failures = 0;
            if (!e.contact.address().equals(c.address()) && java.util.Arrays.equals(e.contact.publicKey(),
                    c.publicKey())) {
                // the authenticated peer now speaks from another address (NAT rebinding): follow it
                long oldP = ContactRules.prefixOf(e.contact.address().getAddress());
                long newP = ContactRules.prefixOf(c.address().getAddress());
                if (oldP == newP || prefixAllows(b, c)) {
                    decPrefix(e.contact);
                    e.contact = c;
                    incPrefix(c);
                }
            }
            b.entries.remove(e);
            b.entries.add(e);
            b.lastChanged = now;
            return new Offer(Result.UPDATED, null);
        }
        switch (ContactRules.verify(c, idDifficultyBits)) {
            case BAD_ID:
                return new Offer(Result.BAD_ID, null);
            case BAD_POW:
                return new Offer(Result.BAD_POW, null);
            default:
                break;
        }
        if (!prefixAllows(b, c)) {
            return new Offer(Result.PREFIX_LIMIT, null);
        }
        if (b.entries.size() < k) {
            b.entries.add(new Entry(c, now));
            incPrefix(c);
            size++;
            b.lastChanged = now;
            removeReplacement(b, c.id());
            return new Offer(Result.ADDED, null);
        }
        // full: keep the newcomer as a replacement (newest last), and check whether the oldest still answers
        if (b.replacements == null) {
            b.replacements = new ArrayList<>(2);
        }
        removeReplacement(b, c.id());
        if (b.replacements.size() >= k) {
            b.replacements.remove(0);
        }
        b.replacements.add(new Entry(c, now));
        if (b.pinging != null) {
            return new Offer(Result.CACHED, null);
        }
        Entry oldest = b.entries.get(0);
        b.pinging = oldest.contact.id();
        return new Offer(Result.PING_OLDEST, oldest.contact);
    }

    private static void removeReplacement(Bucket b, NodeId id) {
        if (b.replacements != null) {
            b.replacements.removeIf(r -> r.contact.id().equals(id));
        }
    }

    private boolean prefixAllows(Bucket b, Contact c) {
        InetAddress a = c.address().getAddress();
        if (!limited(a)) {
            return true;
        }
        long p = ContactRules.prefixOf(a);
        if (perPrefix.getOrDefault(p, 0) >= maxPerPrefixPerTable) {
            return false;
        }
        int inBucket = 0;
        for (Entry e : b.entries) {
            if (ContactRules.prefixOf(e.contact.address().getAddress()) == p) {
                inBucket++;
            }
        }
        return inBucket < maxPerPrefixPerBucket;
    }

    private void incPrefix(Contact c) {
        if (limited(c.address().getAddress())) {
            perPrefix.merge(ContactRules.prefixOf(c.address().getAddress()), 1, Integer::sum);
        }
    }

    private void decPrefix(Contact c) {
        if (limited(c.address().getAddress())) {
            perPrefix.computeIfPresent(ContactRules.prefixOf(c.address().getAddress()), (p, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** The pinged oldest contact answered: it stays, as most recently seen; the newcomer waits in the cache. */
    public void onAlive(NodeId id, long now) {
        Bucket b = bucket(bucketIndex(id), false);
        if (b == null) {
            return;
        }
        if (id.equals(b.pinging)) {
            b.pinging = null;
        }
        Entry e = find(b.entries, id);
        if (e != null) {
            e.lastSeen = now;
            e.failures = 0;
            b.entries.remove(e);
            b.entries.add(e);
        }
    }

    /** The pinged oldest contact did not answer: it is dropped and the newest replacement takes its place. */
    public Contact onPingFailed(NodeId id, long now) {
        Bucket b = bucket(bucketIndex(id), false);
        if (b == null) {
            return null;
        }
        if (id.equals(b.pinging)) {
            b.pinging = null;
        }
        return evict(b, id, now);
    }

    /**
     * A request to {@code id} failed. After {@link #MAX_FAILURES} in a row the contact is dropped and replaced from the
     * cache; returns the contact that took its place, or null.
     */
    public Contact onFailure(NodeId id, long now) {
        Bucket b = bucket(bucketIndex(id), false);
        if (b == null) {
            return null;
        }
        Entry e = find(b.entries, id);
        if (e == null) {
            removeReplacement(b, id);
            return null;
        }
        e.failures++;
        if (e.failures >= MAX_FAILURES && !id.equals(b.pinging)) {
            return evict(b, id, now);
        }
        return null;
    }

    /** True if {@code id} was evicted (false if unknown). */
    private Contact evict(Bucket b, NodeId id, long now) {
        Entry e = find(b.entries, id);
        if (e == null) {
            return null;
        }
        b.entries.remove(e);
        decPrefix(e.contact);
        size--;
        b.lastChanged = now;
        while (b.replacements != null && !b.replacements.isEmpty()) {
            Entry r = b.replacements.remove(b.replacements.size() - 1);
            if (prefixAllows(b, r.contact)) {
                b.entries.add(r);
                incPrefix(r.contact);
                size++;
                return r.contact;
            }
        }
        return null;
    }

    /** Removes {@code id} (and promotes a replacement); returns whether it was present. */
    public boolean remove(NodeId id, long now) {
        Bucket b = bucket(bucketIndex(id), false);
        if (b == null || find(b.entries, id) == null) {
            return false;
        }
        evict(b, id, now);
        return true;
    }

    /** The contact with {@code id}, or null. */
    public Contact get(NodeId id) {
        Bucket b = bucket(bucketIndex(id), false);
        Entry e = b == null ? null : find(b.entries, id);
        return e == null ? null : e.contact;
    }

    public boolean contains(NodeId id) {
        return get(id) != null;
    }

    /** Number of contacts (replacement caches not counted). */
    public int size() {
        return size;
    }

    /** The {@code n} contacts closest to {@code target}, closest first. */
    public List<Contact> closest(NodeId target, int n) {
        ArrayList<Contact> all = new ArrayList<>(size);
        for (Bucket b : buckets) {
            if (b != null) {
                for (Entry e : b.entries) {
                    all.add(e.contact);
                }
            }
        }
        all.sort((a, c) -> target.compareDistance(a.id(), c.id()));
        return all.size() <= n ? all : new ArrayList<>(all.subList(0, n));
    }

    /** Every contact, bucket by bucket, least-recently seen first within a bucket. */
    public List<Contact> contacts() {
        ArrayList<Contact> all = new ArrayList<>(size);
        for (Bucket b : buckets) {
            if (b != null) {
                for (Entry e : b.entries) {
                    all.add(e.contact);
                }
            }
        }
        return all;
    }

    /** Contacts in bucket {@code i}, least-recently seen first. */
    public List<Contact> bucketContacts(int i) {
        Bucket b = buckets[i];
        if (b == null) {
            return List.of();
        }
        List<Contact> out = new ArrayList<>(b.entries.size());
        for (Entry e : b.entries) {
            out.add(e.contact);
        }
        return out;
    }

    /** Contacts waiting in bucket {@code i}'s replacement cache, oldest first. */
    public List<Contact> replacements(int i) {
        Bucket b = buckets[i];
        if (b == null || b.replacements == null) {
            return List.of();
        }
        List<Contact> out = new ArrayList<>();
        for (Entry e : b.replacements) {
            out.add(e.contact);
        }
        return out;
    }

    /** When {@code id} was first added, or -1. */
    public long firstSeen(NodeId id) {
        Bucket b = bucket(bucketIndex(id), false);
        Entry e = b == null ? null : find(b.entries, id);
        return e == null ? -1 : e.firstSeen;
    }

    /**
     * Buckets worth refreshing at {@code now}: those not changed for {@code staleMillis}, from 0 up to one past the
     * deepest non-empty bucket (deeper ones cannot hold anyone we could find).
     */
    public List<Integer> staleBuckets(long now, long staleMillis) {
        int deepest = -1;
        for (int i = NodeId.BITS - 1; i >= 0; i--) {
            if (buckets[i] != null && !buckets[i].entries.isEmpty()) {
                deepest = i;
                break;
            }
        }
        if (deepest < 0) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i <= Math.min(deepest + 1, NodeId.BITS - 1); i++) {
            Bucket b = buckets[i];
            long changed = b == null ? Long.MIN_VALUE / 2 : b.lastChanged;
            if (now - changed >= staleMillis) {
                out.add(i);
            }
        }
        return out;
    }

    /** Marks bucket {@code i} as just refreshed. */
    public void touchBucket(int i, long now) {
        bucket(i, true).lastChanged = now;
    }

    /** A random id that falls in bucket {@code i}: shares exactly {@code i} leading bits with this node. */
    public NodeId randomIdInBucket(int i, Random random) {
        byte[] b = self.toBytes();
        byte[] r = new byte[NodeId.BYTES];
        random.nextBytes(r);
        for (int bit = i + 1; bit < NodeId.BITS; bit++) {
            int mask = 0x80 >>> (bit % 8);
            b[bit / 8] = (byte) ((b[bit / 8] & ~mask) | (r[bit / 8] & mask));
        }
        b[i / 8] ^= (byte) (0x80 >>> (i % 8));
        return NodeId.of(b);
    }

    /** Non-empty bucket indexes, for diagnostics. */
    public List<Integer> nonEmptyBuckets() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] != null && !buckets[i].entries.isEmpty()) {
                out.add(i);
            }
        }
        return Collections.unmodifiableList(out);
    }
}
