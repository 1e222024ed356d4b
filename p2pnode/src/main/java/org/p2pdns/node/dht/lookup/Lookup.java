package org.p2pdns.node.dht.lookup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeId;

/**
 * One path of an iterative Kademlia lookup as a pure state machine (no I/O, no clock): the caller asks
 * {@link #next()} whom to query, reports each reply ({@link #onReply}) or failure ({@link #onFailure}), and stops when
 * {@link #isFinished()}. At most {@code alpha} requests are in flight, only to peers among the k closest not known to
 * be unreachable; the lookup ends when those k closest have all answered, or when nobody is left to ask.
 *
 * <p>For disjoint-path lookups (S/Kademlia) several paths share one {@code claimed} set, so that every peer is queried
 * by one path only.
 */
public final class Lookup {

    /** Where a peer stands in this lookup. */
    public enum PeerState {
        /** Learnt of, not asked yet. */
        HEARD,
        /** Asked, reply pending. */
        WAITING,
        /** Answered. */
        QUERIED,
        /** Did not answer, or belongs to another path. */
        UNREACHABLE
    }

    private static final class Peer {
        final Contact contact;
        final int depth;
        PeerState state = PeerState.HEARD;
        // WAITING past the soft deadline: no longer holds an in-flight slot nor blocks the end of the lookup
        boolean slow;

        Peer(Contact contact, int depth) {
            this.contact = contact;
            this.depth = depth;
        }
    }

    private final NodeId target;
    private final NodeId self;
    private final int k;
    private final int alpha;
    private final int capacity;
    private final Set<NodeId> claimed;
    // keyed by XOR distance to the target, so iteration is closest first
    private final TreeMap<NodeId, Peer> peers = new TreeMap<>();
    private int inFlight;
    private int queried;
    private NodeId best;
    private int stalled;

    /**
     * @param claimed shared by the paths of a disjoint lookup (a peer claimed by one path is skipped by the others);
     *                a fresh set for an ordinary lookup
     */
    public Lookup(NodeId target, NodeId self, int k, int alpha, Collection<Contact> seeds, Set<NodeId> claimed) {
        this.target = target;
        this.self = self;
        this.k = k;
        this.alpha = alpha;
        this.capacity = 8 * k;
        this.claimed = claimed;
        for (Contact c : seeds) {
            add(c, 1);
        }
        best = peers.isEmpty() ? null : peers.firstKey();
    }

    public NodeId target() {
        return target;
    }

    private void add(Contact c, int depth) {
        if (c.id().equals(self)) {
            return;
        }
        NodeId d = target.xor(c.id());
        if (peers.containsKey(d)) {
            return;
        }
        if (peers.size() >= capacity) {
            Map.Entry<NodeId, Peer> last = peers.lastEntry();
            if (last.getKey().compareTo(d) < 0) {
                return;
            }
            // the farthest can never be among the k closest any more; forget it
            if (last.getValue().state == PeerState.WAITING && !last.getValue().slow) {
                inFlight--;
            }
            peers.pollLastEntry();
        }
        peers.put(d, new Peer(c, depth));
    }

    /** The peers to query now (each marked WAITING); empty when the in-flight limit is reached or none is left. */
    public List<Contact> next() {
        List<Contact> out = new ArrayList<>();
        int live = 0;
        // after alpha replies in a row brought nobody closer, ask all of the k closest at once (Kademlia's final round)
        int parallelism = stalled >= alpha ? k : alpha;
        for (Peer p : peers.values()) {
            if (live >= k || inFlight >= parallelism) {
                break;
            }
            if (p.state == PeerState.UNREACHABLE || p.slow) {
                continue;
            }
            if (p.state == PeerState.HEARD) {
                if (!claimed.add(p.contact.id())) {
                    p.state = PeerState.UNREACHABLE;
                    continue;
                }
                p.state = PeerState.WAITING;
                inFlight++;
                out.add(p.contact);
            }
            live++;
        }
        return out;
    }

    /** {@code from} answered with {@code closer} contacts. Returns false if {@code from} was not waiting. */
    public boolean onReply(NodeId from, List<Contact> closer) {
        Peer p = peers.get(target.xor(from));
        boolean waiting = p != null && p.state == PeerState.WAITING;
        if (waiting) {
            p.state = PeerState.QUERIED;
            if (!p.slow) {
                inFlight--;
            }
            p.slow = false;
            queried++;
        }
        int depth = p == null ? 1 : p.depth + 1;
        for (Contact c : closer) {
            add(c, depth);
        }
        NodeId nowBest = peers.isEmpty() ? null : peers.firstKey();
        if (nowBest != null && !nowBest.equals(best)) {
            best = nowBest;
            stalled = 0;
        } else if (waiting) {
            stalled++;
        }
        return waiting;
    }

    /** A request to {@code from} failed (timeout or error). */
    public void onFailure(NodeId from) {
        Peer p = peers.get(target.xor(from));
        if (p != null && p.state == PeerState.WAITING) {
            p.state = PeerState.UNREACHABLE;
            if (!p.slow) {
                inFlight--;
            }
            p.slow = false;
        }
    }

    /**
     * {@code from} has not answered within the soft deadline: its slot goes to the next peer and the lookup no longer
     * waits for it to end (a late reply still counts). Returns false if it was not waiting.
     */
    public boolean onSlow(NodeId from) {
        Peer p = peers.get(target.xor(from));
        if (p == null || p.state != PeerState.WAITING || p.slow) {
            return false;
        }
        p.slow = true;
        inFlight--;
        return true;
    }

    /**
     * True when the k closest live peers have all answered, or nobody is left to ask and nothing is in flight (slow
     * peers are not waited for).
     */
    public boolean isFinished() {
        int live = 0;
        for (Peer p : peers.values()) {
            if (live >= k) {
                break;
            }
            if (p.state == PeerState.UNREACHABLE || p.slow) {
                continue;
            }
            if (p.state != PeerState.QUERIED) {
                return false;
            }
            live++;
        }
        return true;
    }

    /** True when the lookup ended because fewer than k peers could be reached at all. */
    public boolean exhausted() {
        int q = 0;
        for (Peer p : peers.values()) {
            if (p.state == PeerState.HEARD || p.state == PeerState.WAITING && !p.slow) {
                return false;
            }
            if (p.state == PeerState.QUERIED) {
                q++;
            }
        }
        return q < k;
    }

    /** Up to {@code n} peers that answered, closest first. */
    public List<Contact> closestQueried(int n) {
        List<Contact> out = new ArrayList<>(n);
        for (Peer p : peers.values()) {
            if (out.size() >= n) {
                break;
            }
            if (p.state == PeerState.QUERIED) {
                out.add(p.contact);
            }
        }
        return out;
    }

    /** The state of {@code id} in this lookup, or null if unknown. */
    public PeerState state(NodeId id) {
        Peer p = peers.get(target.xor(id));
        return p == null ? null : p.state;
    }

    /**
     * Hops to the closest peer that answered: 1 if it was known at the start, else one more than the hops of the peer
     * that told us of it (0 if nobody answered).
     */
    public int hops() {
        for (Peer p : peers.values()) {
            if (p.state == PeerState.QUERIED) {
                return p.depth;
            }
        }
        return 0;
    }

    public int inFlight() {
        return inFlight;
    }

    /** Peers that answered. */
    public int queriedCount() {
        return queried;
    }
}
