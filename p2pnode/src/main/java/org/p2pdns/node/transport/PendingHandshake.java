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
    /** IK initiator: the message riding on the first packet. */
    byte[] piggyback;
    /**
     * The handshake state waiting for the peer's next message, or null once it is spent (completed, or a message
     * that failed to authenticate consumed it).
     */
    NoiseHandshake hs;
    /** The index this side chose for the handshake (0 before the first packet). */
    int index;
    /**
     * Initiator: the HANDSHAKE_INIT packet, resent unchanged on retransmission, so that a responder that already
     * answered it answers again from its cache instead of doing a new handshake.
     */
    byte[] init;
    /** XX responder only: the initiator's index. */
    int remoteIndex;
    /** Packets of this handshake sent so far: the first and its retransmissions. */
    int attemptCount;
    /**
     * Initiator: the handshake completed. It stays registered for one handshake lifetime, so that a copy of the
     * response (the peer answering a retransmitted INIT again) is recognised as a duplicate.
     */
    boolean completed;
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
