package org.p2pdns.node.transport;

import java.util.Map;
import org.p2pdns.node.util.EnumCounters;

/**
 * Named counters of a node's transport stack (UDP socket, demultiplexer, secure sessions): every datagram or message
 * that is sent, received or dropped is counted under exactly one reason, so tests and operators can see why. Written on
 * the event thread (or Netty's I/O thread for the UDP counters), readable from any thread.
 */
public final class TransportStats {

    /** What is counted. Names are stable: they appear in logs and in the node's status output. */
    public enum Counter {
        /** Datagrams handed to the socket. */
        DATAGRAMS_SENT,
        /** Datagrams read from the socket (oversized ones included). */
        DATAGRAMS_RECEIVED,
        /** Bytes handed to the socket. */
        BYTES_SENT,
        /** Bytes read from the socket. */
        BYTES_RECEIVED,
        /** Datagrams larger than {@link DatagramTransport#MAX_DATAGRAM} refused on send. */
        OVERSIZED_SEND_DROPPED,
        /** Datagrams larger than {@link DatagramTransport#MAX_DATAGRAM} dropped on receipt. */
        OVERSIZED_RECEIVE_DROPPED,
        /** Sends the socket reported as failed (or attempted after close). */
        SEND_FAILED,
        /** Datagrams received before any receiver was set. */
        NO_RECEIVER_DROPPED,
        /** Datagrams whose first byte no registered receiver handles. */
        UNKNOWN_TYPE_DROPPED,

        /** Messages sent inside sessions (piggybacked on handshakes included). */
        MESSAGES_SENT,
        /** Authenticated messages delivered to the handler. */
        MESSAGES_RECEIVED,
        /** Messages refused on send: empty, larger than {@link MessageTransport#MAX_MESSAGE}, or addressed to self. */
        INVALID_SEND_DROPPED,
        /** Messages dropped because their handshake failed, or the per-peer queue overflowed. */
        QUEUED_MESSAGES_DROPPED,
        /** Handshakes this node started (each retransmission counts separately under HANDSHAKE_RETRANSMITS). */
        HANDSHAKES_INITIATED,
        /**
         * Handshake initiations sent again because no answer came in time: the same packet, or a fresh handshake if a
         * forged or corrupted answer had spent the first.
         */
        HANDSHAKE_RETRANSMITS,
        /**
         * X25519 Diffie-Hellman agreements computed for handshakes, both roles (four per completed IK handshake on
         * each side): what handshakes cost in CPU.
         */
        KEY_AGREEMENTS,
        /** Handshakes this node started that completed. */
        HANDSHAKES_COMPLETED,
        /** Handshakes from peers that this node completed as responder. */
        HANDSHAKES_ACCEPTED,
        /** Handshakes this node started that got no valid answer in time. */
        HANDSHAKE_TIMEOUTS,
        /** Handshake messages that failed to decrypt or authenticate (tampered, or sent for another node's key). */
        HANDSHAKE_FAILED,
        /** Handshakes whose payload Ed25519 key does not convert to the static key the handshake authenticated. */
        HANDSHAKE_KEY_MISMATCH,
        /**
         * IK handshake initiations that repeat, or are older than, one already accepted from the same peer: they open
         * no session and deliver nothing (a retransmitted copy counts too; see HANDSHAKE_RESPONSES_RESENT).
         */
        HANDSHAKE_REPLAYED,
        /**
         * Copies of a recently answered handshake initiation (the initiator retransmitted it) answered again with the
         * same response from a cache, without a new handshake.
         */
        HANDSHAKE_RESPONSES_RESENT,
        /** Handshake initiations refused by the per-source-IP rate limit. */
        HANDSHAKE_RATE_LIMITED,
        /**
         * Copies of a handshake response that arrive after the handshake completed (the peer answered a retransmitted
         * initiation again).
         */
        DUPLICATE_RESPONSES_DROPPED,
        /** Handshake responses or finishes for no pending handshake. */
        HANDSHAKE_UNKNOWN,
        /** Peers whose node id lacks the network's proof of work. */
        WEAK_ID_DROPPED,
        /** Peer keys that are not valid Ed25519 points, or contacts whose id is not the hash of their key. */
        INVALID_PEER_KEY,
        /** Packets with an unknown version byte. */
        BAD_VERSION,
        /** Packets too short, too long or otherwise malformed. */
        MALFORMED,
        /** Session packets whose authentication tag does not verify. */
        BAD_MAC,
        /** Session packets whose nonce was already received or is older than the replay window. */
        REPLAYED,
        /** Session packets for a session index this node does not hold. */
        UNKNOWN_SESSION,
        /** Session packets for a session past its reject-after age. */
        EXPIRED_SESSION,
        /** Empty session packets sent to confirm a new session to its responder. */
        KEEPALIVES_SENT,
        /** Empty session packets received (they confirm the session; nothing is delivered). */
        KEEPALIVES_RECEIVED,
        /** Sessions established (both roles). */
        SESSIONS_ESTABLISHED,
        /** Sessions discarded because they expired or sat idle. */
        SESSIONS_EXPIRED,
        /** Peers' session state evicted to stay under the session limit. */
        SESSIONS_EVICTED,
        /** Pending handshakes evicted to stay under the pending limit. */
        PENDING_EVICTED,
        /** New handshakes started because a session's peer stopped answering (it may have restarted). */
        STALE_REHANDSHAKES,
        /** Rekey handshakes started because a session grew old or used many nonces. */
        REKEYS,
        /** Sessions whose peer address changed to where authenticated packets now come from. */
        ROAMED,
        /** Exceptions thrown by the message handler (caught and logged). */
        HANDLER_ERRORS,
        /** Unexpected exceptions in the transport itself (caught and logged; should stay 0). */
        INTERNAL_ERRORS
    }

    private final EnumCounters<Counter> values = new EnumCounters<>(Counter.class);

    /** Adds one to {@code c}. */
    public void increment(Counter c) {
        values.increment(c);
    }

    /** Adds {@code n} to {@code c}. */
    public void add(Counter c, long n) {
        values.add(c, n);
    }

    /** The current value of {@code c}. */
    public long get(Counter c) {
        return values.get(c);
    }

    /** A copy of every counter. */
    public Map<Counter, Long> snapshot() {
        return values.snapshot();
    }

    /** The non-zero counters, e.g. {@code {DATAGRAMS_SENT=3, BAD_MAC=1}}. */
    @Override
    public String toString() {
        return values.toString();
    }
}
