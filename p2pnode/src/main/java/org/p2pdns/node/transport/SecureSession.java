package org.p2pdns.node.transport;

import com.southernstorm.noise.protocol.CipherState;
import java.net.InetSocketAddress;
import org.p2pdns.node.identity.NodeId;

/**
 * One established session with a peer: the two cipher states a Noise handshake split into, the indexes both ends use
 * to find it, the send nonce, the replay window and the address the peer's authenticated packets last came from.
 * Event thread only.
 */
final class SecureSession {

    final int localIndex;
    final int remoteIndex;
    final NodeId peerId;
    final byte[] peerKey;
    final CipherState sender;
    final CipherState receiver;
    /** Who started the handshake: breaks the tie between sessions opened by both ends at once. */
    final NodeId initiatorId;
    final boolean initiatedByUs;
    final long establishedMillis;
    final ReplayWindow replay = new ReplayWindow();
    InetSocketAddress address;
    /**
     * Whether the peer is known to hold this session: it answered our handshake, finished its own, or sent on it.
     * An unconfirmed session (its last handshake packet may have been lost) is only used for one handshake lifetime.
     */
    boolean confirmed;
    long lastUsedMillis;
    /** When the peer last sent anything authenticated (on this session or its sibling); establishment counts. */
    long lastReceivedMillis;
    /**
     * When a message was first sent on this session, long after the peer last spoke, without an answer since;
     * {@link #ANSWERED} when there is none. Sends right after a receipt are replies and expect nothing.
     */
    long unansweredSinceMillis = ANSWERED;

    static final long ANSWERED = Long.MIN_VALUE;
    long sendNonce;

    SecureSession(int localIndex, int remoteIndex, NodeId peerId, byte[] peerKey, InetSocketAddress address,
                  CipherState sender, CipherState receiver, NodeId initiatorId, boolean initiatedByUs, long nowMillis) {
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.peerId = peerId;
        this.peerKey = peerKey;
        this.address = address;
        this.sender = sender;
        this.receiver = receiver;
        this.initiatorId = initiatorId;
        this.initiatedByUs = initiatedByUs;
        this.establishedMillis = nowMillis;
        this.lastUsedMillis = nowMillis;
        this.lastReceivedMillis = nowMillis;
    }

    void destroy() {
        sender.destroy();
        receiver.destroy();
    }
}
