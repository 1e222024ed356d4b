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
        /** Bucket full, its oldest recently seen or already being pinged: kept in the replacement cache. */
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

    /**
     * A bucket's least-recently-seen contact heard from within this long is taken to be alive: a newcomer then waits
     * in the replacement cache without a ping (which would cost a round trip per newcomer in every busy bucket).
     */
    public static final long LIVENESS_GRACE_MILLIS = 60_000;

    /** Consecutive failed requests after which a contact is dropped (replaced from the cache when possible). */
    public static final int MAX_FAILURES = 2;

    private static final class Entry {
        Contact contact;
        // the id's hash, kept here so that scanning a bucket does not chase a pointer per entry
        final int idHash;
        final long firstSeen;
        long lastSeen;
        int failures;

        Entry(Contact contact, long now) {
            this.contact = contact;
            this.idHash = contact.id().hashCode();
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
    private final long createdAt;

    /** A table created at {@code nowMillis} (buckets count as fresh from then until they go stale). */
    public RoutingTable(NodeId self, int k, int maxPerPrefixPerBucket, int maxPerPrefixPerTable,
                        boolean limitLoopback, int idDifficultyBits, long nowMillis) {
        this.createdAt = nowMillis;
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
        int h = id.hashCode();
        for (int i = 0, n = list.size(); i < n; i++) {
            Entry e = list.get(i);
            if (e.idHash == h && e.contact.id().equals(id)) {
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
        Entry oldest = b.entries.get(0);
        if (b.pinging != null || now - oldest.lastSeen < LIVENESS_GRACE_MILLIS) {
            return new Offer(Result.CACHED, null);
        }
        b.pinging = oldest.contact.id();
        return new Offer(Result.PING_OLDEST, oldest.contact);
    }

    private static void removeReplacement(Bucket b, NodeId id) {
        if (b.replacements != null) {
            int h = id.hashCode();
            b.replacements.removeIf(r -> r.idHash == h && r.contact.id().equals(id));
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
     * A request to {@code id} failed. After {@link #MAX_FAILURES} in a row (or one, when the replacement cache holds a
     * fresher contact) the contact is dropped and replaced from the cache; returns the contact that took its place, or
     * null.
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
        // with a fresher contact waiting in the cache, one failure is enough: it would take the slot on the next
        // ping anyway, and a dead contact costs every lookup a timeout
        boolean replaceable = b.replacements != null && !b.replacements.isEmpty();
        if ((e.failures >= MAX_FAILURES || replaceable) && !id.equals(b.pinging)) {
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
        return closest(target, n, null);
    }

    /**
     * The {@code n} contacts closest to {@code target}, closest first, leaving out {@code exclude} (may be null).
     *
     * <p>Walks buckets instead of sorting the table: with t = the prefix length self shares with the target, bucket t
     * holds the closest contacts, then every bucket deeper than t (their distance starts at bit t), then buckets t-1,
     * t-2, ... 0 in that order; only each group is sorted, and the walk stops once {@code n} are found.
     */
    public List<Contact> closest(NodeId target, int n, NodeId exclude) {
        ArrayList<Contact> out = new ArrayList<>(Math.min(n, size));
        if (n <= 0 || size == 0) {
            return out;
        }
        int t = bucketIndex(target);
        ArrayList<Contact> group = new ArrayList<>();
        addBucket(group, t, exclude);
        take(out, group, target, n);
        if (out.size() < n) {
            group.clear();
            for (int i = t + 1; i < NodeId.BITS; i++) {
                addBucket(group, i, exclude);
            }
            take(out, group, target, n);
        }
        for (int i = t - 1; i >= 0 && out.size() < n; i--) {
            group.clear();
            addBucket(group, i, exclude);
            take(out, group, target, n);
        }
        return out;
    }

    private void addBucket(List<Contact> group, int i, NodeId exclude) {
        Bucket b = buckets[i];
        if (b == null) {
            return;
        }
        for (Entry e : b.entries) {
            if (exclude == null || !e.contact.id().equals(exclude)) {
                group.add(e.contact);
            }
        }
    }

    private static void take(List<Contact> out, List<Contact> group, NodeId target, int n) {
        int want = n - out.size();
        if (group.isEmpty() || want <= 0) {
            return;
        }
        if (group.size() <= 2 * want) {
            group.sort((a, c) -> target.compareDistance(a.id(), c.id()));
            for (int i = 0; i < group.size() && i < want; i++) {
                out.add(group.get(i));
            }
            return;
        }
        // only the closest few of a large group are needed: keep a small sorted window instead of sorting it all
        Contact[] best = new Contact[want];
        int size = 0;
        for (Contact c : group) {
            if (size == want && target.compareDistance(c.id(), best[want - 1].id()) >= 0) {
                continue;
            }
            int i = size == want ? want - 1 : size++;
            while (i > 0 && target.compareDistance(c.id(), best[i - 1].id()) < 0) {
                best[i] = best[i - 1];
                i--;
            }
            best[i] = c;
        }
        for (int i = 0; i < size; i++) {
            out.add(best[i]);
        }
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
            long changed = b == null ? createdAt : Math.max(createdAt, b.lastChanged);
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
