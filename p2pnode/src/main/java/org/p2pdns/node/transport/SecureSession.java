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
    long lastUsedMillis;
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
    }

    void destroy() {
        sender.destroy();
        receiver.destroy();
    }
}
