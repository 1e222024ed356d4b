package org.p2pdns.node.transport;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.transport.TransportStats.Counter;

/**
 * The established sessions of a {@link SecureTransport}: by local index (to decrypt) and by peer (to send), with each
 * peer's current session and a few older ones, the peer last seen at each address, least-recently-used eviction and
 * expiry.
 * Event thread only.
 */
final class SessionTable {

    /**
     * Older sessions kept per peer to receive on while the peer switches: the session replaced, one the peer opened at
     * the same time, and one from a handshake restarted after a forged answer (the peer may send on any of them).
     */
    static final int OLDER_KEPT = 3;

    /** The sessions with one peer: current (used to send) and older ones, newest first (still accepted). */
    private static final class PeerState {
        SecureSession current;
        final ArrayDeque<SecureSession> older = new ArrayDeque<>(2);
    }

    private final TransportConfig config;
    private final TransportStats stats;
    private final Map<Integer, SecureSession> byIndex = new HashMap<>();
    private final LinkedHashMap<NodeId, PeerState> peers = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<InetSocketAddress, NodeId> peerByAddress = new HashMap<>();

    SessionTable(TransportConfig config, TransportStats stats) {
        this.config = config;
        this.stats = stats;
    }

    /** The session a SESSION_DATA packet addresses, or null. */
    SecureSession byIndex(int index) {
        return byIndex.get(index);
    }

    boolean containsIndex(int index) {
        return byIndex.containsKey(index);
    }

    /**
     * The session to send on to {@code peer} at {@code now}, or null: it must be young enough, and either confirmed or
     * within one handshake lifetime of its establishment (after that, an unconfirmed session is presumed half-open and
     * a new handshake is better than sending into it). Marks the peer used.
     */
    SecureSession sendableTo(NodeId peer, long now) {
        PeerState ps = peers.get(peer);
        if (ps == null || ps.current == null || !sendable(ps.current, now)) {
            return null;
        }
        SecureSession s = ps.current;
        return s.confirmed || now - s.establishedMillis < config.handshakeLifetime().toMillis() ? s : null;
    }

    /** The peer whose session last used {@code address}, or null. */
    NodeId peerAt(InetSocketAddress address) {
        return peerByAddress.get(address);
    }

    /** Whether {@code s} may still send: younger than reject-after and short of twice the rekey message count. */
    boolean sendable(SecureSession s, long now) {
        return now - s.establishedMillis < config.rejectAfter().toMillis()
                && s.sendNonce < 2 * config.rekeyAfterMessages();
    }

    /** Whether a packet for {@code s} must be refused at {@code now} (past reject-after). */
    boolean tooOld(SecureSession s, long now) {
        return now - s.establishedMillis >= config.rejectAfter().toMillis();
    }

    /**
     * Adds {@code s}, making it the session to send on to its peer and keeping the one it replaces to receive on.
     * When both ends opened sessions at the same time (within one handshake lifetime), both keep sending on the one
     * whose initiator has the lower node id, so they agree. Returns the peer's current session afterwards.
     */
    SecureSession install(SecureSession s, long now) {
        byIndex.put(s.localIndex, s);
        stats.increment(Counter.SESSIONS_ESTABLISHED);
        PeerState ps = peers.get(s.peerId);
        if (ps == null) {
            ps = new PeerState();
            peers.put(s.peerId, ps);
        }
        SecureSession cur = ps.current;
        boolean keepCurrent = cur != null && sendable(cur, now)
                && s.establishedMillis - cur.establishedMillis < config.handshakeLifetime().toMillis()
                && cur.initiatorId.compareTo(s.initiatorId) < 0;
        if (keepCurrent) {
            keepOlder(ps, s);
        } else {
            if (cur != null) {
                keepOlder(ps, cur);
            }
            ps.current = s;
        }
        peerByAddress.put(ps.current.address, s.peerId);
        SecureSession current = ps.current;
        while (peers.size() > config.maxPeers()) {
            Iterator<Map.Entry<NodeId, PeerState>> it = peers.entrySet().iterator();
            Map.Entry<NodeId, PeerState> eldest = it.next();
            it.remove();
            forget(eldest.getKey(), eldest.getValue().current);
            for (SecureSession old : eldest.getValue().older) {
                forget(eldest.getKey(), old);
            }
            stats.increment(Counter.SESSIONS_EVICTED);
        }
        return current;
    }

    /**
     * Notes that an authenticated packet arrived on {@code s}: the peer is answering. If {@code s} is one of the peer's
     * older sessions and is newer than the current one, or the current one is unconfirmed (maybe half-open), the
     * peer evidently sends on {@code s} (it restarted, lost the session the tie-break kept, or our handshake answer to
     * it was lost), so {@code s} becomes the session to send on.
     */
    void received(SecureSession s, long now) {
        PeerState ps = peers.get(s.peerId);
        if (ps == null || ps.current == null) {
            return;
        }
        ps.current.unansweredSinceMillis = SecureSession.ANSWERED;
        ps.current.lastReceivedMillis = now;
        for (SecureSession x : ps.older) {
            x.unansweredSinceMillis = SecureSession.ANSWERED;
            x.lastReceivedMillis = now;
        }
        if (ps.current != s && (s.establishedMillis > ps.current.establishedMillis || !ps.current.confirmed)
                && ps.older.remove(s)) {
            ps.older.addFirst(ps.current);
            ps.current = s;
        }
    }

    /**
     * Moves the peer of {@code s} to {@code from}, where an authenticated packet of {@code s} just came from (NAT
     * rebinding, a punched hole): replies follow the peer.
     */
    void roam(SecureSession s, InetSocketAddress from) {
        stats.increment(Counter.ROAMED);
        if (s.peerId.equals(peerByAddress.get(s.address))) {
            peerByAddress.remove(s.address);
        }
        s.address = from;
        peerByAddress.put(from, s.peerId);
        PeerState ps = peers.get(s.peerId);
        if (ps != null && ps.current != null) {
            ps.current.address = from;
        }
    }

    /** Discards sessions past reject-after or idle for the idle timeout; returns whether any peer remains. */
    boolean sweep(long now) {
        Iterator<Map.Entry<NodeId, PeerState>> it = peers.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<NodeId, PeerState> e = it.next();
            PeerState ps = e.getValue();
            for (Iterator<SecureSession> o = ps.older.iterator(); o.hasNext(); ) {
                SecureSession x = o.next();
                if (expired(x, now)) {
                    expire(e.getKey(), x);
                    o.remove();
                }
            }
            if (ps.current != null && expired(ps.current, now)) {
                expire(e.getKey(), ps.current);
                ps.current = ps.older.pollFirst();
            }
            if (ps.current == null) {
                it.remove();
            }
        }
        return !peers.isEmpty();
    }

    /** A view of the current session with {@code peer}. */
    Optional<SessionInfo> info(NodeId peer) {
        PeerState ps = peers.get(peer);
        if (ps == null || ps.current == null) {
            return Optional.empty();
        }
        SecureSession s = ps.current;
        return Optional.of(new SessionInfo(s.localIndex, s.remoteIndex, s.peerId, s.address, s.initiatedByUs,
                s.establishedMillis, s.sendNonce));
    }

    int sessionCount() {
        return byIndex.size();
    }

    int peerCount() {
        return peers.size();
    }

    void clear() {
        for (SecureSession s : byIndex.values()) {
            s.destroy();
        }
        byIndex.clear();
        peers.clear();
        peerByAddress.clear();
    }

    private void keepOlder(PeerState ps, SecureSession s) {
        ps.older.addFirst(s);
        while (ps.older.size() > OLDER_KEPT) {
            drop(ps.older.removeLast());
        }
    }

    private boolean expired(SecureSession s, long now) {
        return tooOld(s, now) || now - s.lastUsedMillis >= config.idleTimeout().toMillis();
    }

    private void expire(NodeId id, SecureSession s) {
        forget(id, s);
        stats.increment(Counter.SESSIONS_EXPIRED);
    }

    private void forget(NodeId id, SecureSession s) {
        drop(s);
        if (id.equals(peerByAddress.get(s.address))) {
            peerByAddress.remove(s.address);
        }
    }

    private void drop(SecureSession s) {
        byIndex.remove(s.localIndex);
        s.destroy();
    }
}
