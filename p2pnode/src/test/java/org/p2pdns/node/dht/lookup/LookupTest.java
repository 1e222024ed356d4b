package org.p2pdns.node.dht.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeId;

/** The lookup state machine alone, fed by hand. */
class LookupTest {

    final Random random = new Random(17);
    final NodeId self = NodeId.random(random);
    final NodeId target = NodeId.random(random);

    List<Contact> contacts(int n) {
        List<Contact> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            out.add(Contact.of(key, new InetSocketAddress("10.9." + i + ".1", 4000)));
        }
        out.sort((a, b) -> target.compareDistance(a.id(), b.id()));
        return out;
    }

    @Test
    void queriesAlphaAtATimeAndEndsWhenTheKClosestAnswered() {
        List<Contact> all = contacts(12);
        Lookup l = new Lookup(target, self, 4, 2, all.subList(6, 12), new HashSet<>());
        List<Contact> first = l.next();
        assertEquals(all.subList(6, 8), first, "the two closest known");
        assertEquals(Lookup.PeerState.WAITING, l.state(first.get(0).id()));
        assertEquals(List.of(), l.next(), "alpha in flight");
        // the first reply tells of the six closest of all
        assertTrue(l.onReply(first.get(0).id(), all.subList(0, 6)));
        assertEquals(Lookup.PeerState.QUERIED, l.state(first.get(0).id()));
        assertEquals(Lookup.PeerState.HEARD, l.state(all.get(0).id()));
        assertEquals(List.of(all.get(0)), l.next());
        l.onFailure(first.get(1).id());
        assertEquals(Lookup.PeerState.UNREACHABLE, l.state(first.get(1).id()));
        assertEquals(List.of(all.get(1)), l.next());
        l.onReply(all.get(0).id(), List.of());
        l.onReply(all.get(1).id(), List.of());
        assertFalse(l.isFinished());
        for (Contact c : l.next()) {
            l.onReply(c.id(), List.of());
        }
        for (Contact c : l.next()) {
            l.onReply(c.id(), List.of());
        }
        assertTrue(l.isFinished());
        assertEquals(all.subList(0, 4), l.closestQueried(4));
        assertEquals(2, l.hops(), "the closest was learnt from a first-hop peer");
    }

    @Test
    void aFailedCloserPeerIsSkippedAndTheNextAsked() {
        List<Contact> all = contacts(5);
        Lookup l = new Lookup(target, self, 3, 3, all, new HashSet<>());
        List<Contact> asked = l.next();
        assertEquals(all.subList(0, 3), asked);
        l.onFailure(all.get(0).id());
        l.onReply(all.get(1).id(), List.of());
        l.onReply(all.get(2).id(), List.of());
        assertFalse(l.isFinished());
        assertEquals(List.of(all.get(3)), l.next());
        l.onReply(all.get(3).id(), List.of());
        assertTrue(l.isFinished());
        assertEquals(all.subList(1, 4), l.closestQueried(3));
    }

    @Test
    void endsWhenNobodyIsLeftAndSkipsSelfAndRepeats() {
        List<Contact> all = contacts(3);
        Lookup l = new Lookup(target, self, 20, 3, all, new HashSet<>());
        for (Contact c : l.next()) {
            // replies repeat known contacts and name the requester itself: neither is asked again
            l.onReply(c.id(), List.of(all.get(0), new Contact(self, all.get(0).publicKey(), all.get(0).address())));
        }
        assertEquals(List.of(), l.next());
        assertTrue(l.isFinished());
        assertTrue(l.exhausted());
        assertEquals(3, l.queriedCount());
    }

    @Test
    void disjointPathsNeverAskTheSamePeer() {
        List<Contact> all = contacts(30);
        Set<NodeId> claimed = new HashSet<>();
        Lookup a = new Lookup(target, self, 5, 3, all.subList(0, 15), claimed);
        Lookup b = new Lookup(target, self, 5, 3, all.subList(10, 30), claimed);
        Set<NodeId> askedA = new HashSet<>();
        Set<NodeId> askedB = new HashSet<>();
        for (int round = 0; round < 10; round++) {
            for (Contact c : a.next()) {
                askedA.add(c.id());
                a.onReply(c.id(), all);
            }
            for (Contact c : b.next()) {
                askedB.add(c.id());
                b.onReply(c.id(), all);
            }
        }
        assertTrue(a.isFinished() && b.isFinished());
        askedA.retainAll(askedB);
        assertEquals(Set.of(), askedA);
    }

    @Test
    void finalRoundWidensToKWhenRepliesStopImproving() {
        List<Contact> all = contacts(10);
        Lookup l = new Lookup(target, self, 6, 2, all.subList(0, 10), new HashSet<>());
        List<Contact> first = l.next();
        assertEquals(2, first.size());
        // replies that bring nobody closer: after alpha of them, the rest of the k closest are asked at once
        l.onReply(first.get(0).id(), List.of());
        l.onReply(first.get(1).id(), List.of());
        assertEquals(4, l.next().size());
    }

    @Test
    void aSlowPeerFreesItsSlotAndDoesNotHoldUpTheEnd() {
        List<Contact> all = contacts(4);
        Lookup l = new Lookup(target, self, 3, 1, all, new HashSet<>());
        assertEquals(List.of(all.get(0)), l.next());
        assertEquals(List.of(), l.next());
        assertTrue(l.onSlow(all.get(0).id()));
        assertFalse(l.onSlow(all.get(0).id()));
        assertEquals(List.of(all.get(1)), l.next(), "the slot went to the next peer");
        l.onReply(all.get(1).id(), List.of());
        // that reply brought nobody closer: the final round asks the rest of the k closest at once
        assertEquals(all.subList(2, 4), l.next());
        l.onReply(all.get(2).id(), List.of());
        l.onReply(all.get(3).id(), List.of());
        assertTrue(l.isFinished(), "not waiting for the slow peer");
        // a late reply still counts
        l.onReply(all.get(0).id(), List.of());
        assertEquals(all.subList(0, 3), l.closestQueried(3));
        assertEquals(0, l.inFlight());
    }
}
