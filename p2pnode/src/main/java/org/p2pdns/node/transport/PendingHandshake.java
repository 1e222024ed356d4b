package org.p2pdns.node.transport;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
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
    /**
     * The handshake state of each attempt still answerable, by the index it was sent with: a late answer to an
     * earlier attempt completes the handshake too (under load, answers can take longer than the retransmit interval).
     */
    final LinkedHashMap<Integer, NoiseHandshake> attempts = new LinkedHashMap<>();
    /** XX responder only: the initiator's index. */
    int remoteIndex;
    int attemptCount;
    /**
     * IK initiator: an answer to one attempt completed the handshake; answers to the other attempts still open
     * sessions (the peer made one for each attempt and may send on any) until the handshake's lifetime ends.
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
