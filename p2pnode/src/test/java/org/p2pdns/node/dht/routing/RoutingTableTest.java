package org.p2pdns.node.dht.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeId;

class RoutingTableTest {

    final Random random = new Random(3);
    final NodeId self = NodeId.random(random);

    static InetSocketAddress addr(String ip) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), 4000);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    Contact randomContact(String ip) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return Contact.of(key, addr(ip));
    }

    /** A contact whose id falls in bucket {@code bucket} of {@code self}. */
    Contact contactInBucket(RoutingTable t, int bucket, String ip) {
        while (true) {
            Contact c = randomContact(ip);
            if (t.bucketIndex(c.id()) == bucket) {
                return c;
            }
        }
    }

    RoutingTable table(int perBucket, int perTable) {
        return new RoutingTable(self, 20, perBucket, perTable, false, 0, 0);
    }

    @Test
    void closestMatchesBruteForce() {
        RoutingTable t = table(2, 10);
        List<Contact> all = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Contact c = randomContact("10." + (i / 256) + "." + (i % 256) + ".1");
            if (t.offer(c, i).result() == RoutingTable.Result.ADDED) {
                all.add(c);
            }
        }
        assertEquals(all.size(), t.size());
        for (int i = 0; i < 200; i++) {
            NodeId target = i == 0 ? self : NodeId.random(random);
            List<Contact> expect = new ArrayList<>(all);
            expect.sort((a, b) -> target.compareDistance(a.id(), b.id()));
            assertEquals(expect.subList(0, 20), t.closest(target, 20));
            NodeId excluded = expect.get(0).id();
            assertEquals(expect.subList(1, 21), t.closest(target, 20, excluded));
        }
    }

    @Test
    void perPrefixLimitPerBucketAndPerTable() {
        RoutingTable t = table(2, 3);
        // three contacts of one /24 in bucket 0: the third is refused
        assertEquals(RoutingTable.Result.ADDED, t.offer(contactInBucket(t, 0, "198.51.100.1"), 0).result());
        assertEquals(RoutingTable.Result.ADDED, t.offer(contactInBucket(t, 0, "198.51.100.2"), 0).result());
        assertEquals(RoutingTable.Result.PREFIX_LIMIT, t.offer(contactInBucket(t, 0, "198.51.100.3"), 0).result());
        // another bucket takes one more of that /24; then the table-wide limit of 3 is reached
        assertEquals(RoutingTable.Result.ADDED, t.offer(contactInBucket(t, 1, "198.51.100.4"), 0).result());
        assertEquals(RoutingTable.Result.PREFIX_LIMIT, t.offer(contactInBucket(t, 2, "198.51.100.5"), 0).result());
        // another /24 is fine
        assertEquals(RoutingTable.Result.ADDED, t.offer(contactInBucket(t, 2, "198.51.101.5"), 0).result());
        // IPv6: the /48 counts
        assertEquals(RoutingTable.Result.ADDED, t.offer(contactInBucket(t, 0, "2001:db8:1:1::1"), 0).result());
        assertEquals(RoutingTable.Result.ADDED, t.offer(contactInBucket(t, 0, "2001:db8:1:2::1"), 0).result());
        assertEquals(RoutingTable.Result.PREFIX_LIMIT, t.offer(contactInBucket(t, 0, "2001:db8:1:ffff::9"), 0)
                .result());
        assertEquals(RoutingTable.Result.ADDED, t.offer(contactInBucket(t, 0, "2001:db8:2::1"), 0).result());
        // removal frees the prefix
        Contact first = t.bucketContacts(0).get(0);
        assertTrue(t.remove(first.id(), 1));
        assertEquals(RoutingTable.Result.ADDED, t.offer(contactInBucket(t, 0, "198.51.100.9"), 1).result());
    }

    @Test
    void loopbackIsExemptUnlessConfigured() {
        RoutingTable open = table(2, 10);
        for (int i = 0; i < 20; i++) {
            assertEquals(RoutingTable.Result.ADDED, open.offer(contactInBucket(open, 0, "127.0.0.1"), 0).result());
        }
        RoutingTable strict = new RoutingTable(self, 20, 2, 10, true, 0, 0);
        strict.offer(contactInBucket(strict, 0, "127.0.0.1"), 0);
        strict.offer(contactInBucket(strict, 0, "127.0.0.1"), 0);
        assertEquals(RoutingTable.Result.PREFIX_LIMIT, strict.offer(contactInBucket(strict, 0, "127.0.0.1"), 0)
                .result());
    }

    @Test
    void fullBucketKeepsLongLivedContactsThatAnswer() {
        long min = 60_000;
        RoutingTable t = new RoutingTable(self, 3, 3, 100, false, 0, 0);
        Contact a = contactInBucket(t, 0, "192.0.2.1");
        Contact b = contactInBucket(t, 0, "192.0.3.1");
        Contact c = contactInBucket(t, 0, "192.0.4.1");
        t.offer(a, 0);
        t.offer(b, 1);
        t.offer(c, 2);
        t.offer(a, 3); // a seen again: b is now least recently seen
        // b was heard from a moment ago: a newcomer just waits, no ping
        Contact early = contactInBucket(t, 0, "192.0.8.1");
        assertEquals(RoutingTable.Result.CACHED, t.offer(early, 4).result());
        Contact newcomer = contactInBucket(t, 0, "192.0.5.1");
        RoutingTable.Offer o = t.offer(newcomer, 2 * min);
        assertEquals(RoutingTable.Result.PING_OLDEST, o.result());
        assertEquals(b, o.toPing());
        // a second newcomer while the ping is out only waits in the cache
        Contact second = contactInBucket(t, 0, "192.0.6.1");
        assertEquals(RoutingTable.Result.CACHED, t.offer(second, 2 * min + 1).result());
        // b answers: it stays, the newcomers do not get in
        t.onAlive(b.id(), 2 * min + 2);
        assertEquals(List.of(c, a, b), t.bucketContacts(0));
        assertEquals(List.of(early, newcomer, second), t.replacements(0));
        assertFalse(t.contains(newcomer.id()));
        // next time the oldest (c) fails its ping: the newest replacement takes its place
        RoutingTable.Offer o2 = t.offer(contactInBucket(t, 0, "192.0.7.1"), 3 * min);
        assertEquals(c, o2.toPing());
        Contact promoted = t.onPingFailed(c.id(), 3 * min + 1);
        assertFalse(t.contains(c.id()));
        assertTrue(t.contains(promoted.id()));
        assertEquals(3, t.size());
        assertEquals(0, t.firstSeen(a.id()));
    }

    @Test
    void repeatedFailuresEvictAContact() {
        RoutingTable t = table(2, 10);
        Contact a = contactInBucket(t, 0, "192.0.2.1");
        t.offer(a, 0);
        assertNull(t.onFailure(a.id(), 1));
        assertTrue(t.contains(a.id()));
        t.offer(a, 2); // an answer clears the count
        t.onFailure(a.id(), 3);
        assertTrue(t.contains(a.id()));
        t.onFailure(a.id(), 4);
        assertFalse(t.contains(a.id()));
    }

    @Test
    void forgedIdsAndWeakProofOfWorkAreRefused() {
        RoutingTable t = new RoutingTable(self, 20, 2, 10, false, 8, 0);
        Contact honest = randomContact("192.0.2.1");
        Contact forged = new Contact(NodeId.random(random), honest.publicKey(), honest.address());
        assertEquals(RoutingTable.Result.BAD_ID, t.offer(forged, 0).result());
        Contact weak;
        do {
            weak = randomContact("192.0.2.2");
        } while (ContactRules.meetsDifficulty(weak.id(), 8));
        assertEquals(RoutingTable.Result.BAD_POW, t.offer(weak, 0).result());
        Contact strong;
        do {
            strong = randomContact("192.0.2.3");
        } while (!ContactRules.meetsDifficulty(strong.id(), 8));
        assertEquals(RoutingTable.Result.ADDED, t.offer(strong, 0).result());
        assertEquals(RoutingTable.Result.SELF, t.offer(new Contact(self, honest.publicKey(), honest.address()), 0)
                .result());
    }

    @Test
    void staleBucketsAndRandomIdsInBuckets() {
        RoutingTable t = new RoutingTable(self, 20, 2, 10, false, 0, 1000);
        for (int b = 0; b < 5; b++) {
            t.offer(contactInBucket(t, b, "10.0." + b + ".1"), 1000);
        }
        assertEquals(List.of(), t.staleBuckets(1000 + 999, 1000));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), t.staleBuckets(2000, 1000));
        t.touchBucket(2, 2000);
        assertFalse(t.staleBuckets(2500, 1000).contains(2));
        for (int b = 0; b < 256; b += 17) {
            assertEquals(b, t.bucketIndex(t.randomIdInBucket(b, random)));
        }
    }
}
