package org.p2pdns.node.transport;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.time.Cancellable;

/**
 * One handshake in progress in a {@link SecureTransport}: ours as initiator (IK to a known key, XX to an address), with
 * the messages waiting for it, or a peer's XX waiting for its third message. Event thread only.
 */
final class PendingHandshake {
    final boolean initiator;
    final int pattern;
    /** IK initiator only: the peer whose key the handshake is addressed to. */
    final Contact peer;
    final InetSocketAddress address;
    final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    /** IK initiator: the message riding on every attempt's first packet. */
    byte[] piggyback;
    NoiseHandshake hs;
    int localIndex;
    /** XX responder only: the initiator's index. */
    int remoteIndex;
    int attempts;
    Cancellable timer;

    PendingHandshake(boolean initiator, int pattern, Contact peer, InetSocketAddress address) {
        this.initiator = initiator;
        this.pattern = pattern;
        this.peer = peer;
        this.address = address;
    }

    /** Messages that would be lost if this handshake failed now. */
    int queuedCount() {
        return queue.size() + (piggyback != null ? 1 : 0);
    }
}
