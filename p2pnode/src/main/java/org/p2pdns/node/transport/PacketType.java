package org.p2pdns.node.transport;

/**
 * First byte of every datagram on the node's socket. STUN (RFC 8489) messages start with two zero bits, so every
 * type of ours is at or above 0x40 and a datagram whose first byte is below 0x40 and that carries the STUN magic
 * cookie goes to the STUN client instead.
 */
public final class PacketType {
    private PacketType() {
    }

    /** Secure-session handshake, first message (Noise IK when the peer's key is known, XX otherwise). */
    public static final int HANDSHAKE_INIT = 0x50;
    /** Secure-session handshake, responder's message. */
    public static final int HANDSHAKE_RESPONSE = 0x51;
    /** Secure-session handshake, third message (XX only). */
    public static final int HANDSHAKE_FINISH = 0x52;
    /** An encrypted, authenticated message inside an established session. */
    public static final int SESSION_DATA = 0x53;
    /** First of the range for introduction-server traffic (registration, peer lists, rendezvous, relay). */
    public static final int INTRO_FIRST = 0x60;
    /** Last of the range for introduction-server traffic. */
    public static final int INTRO_LAST = 0x6f;
    /** Hole-punch probe between two nodes. */
    public static final int PUNCH = 0x70;

    /** STUN magic cookie (RFC 5389), bytes 4..7 of a STUN message. */
    public static final int STUN_MAGIC_COOKIE = 0x2112A442;

    /** True when {@code packet} looks like a STUN message. */
    public static boolean isStun(byte[] packet) {
        return packet.length >= 20 && (packet[0] & 0xC0) == 0
                && ((packet[4] & 0xff) << 24 | (packet[5] & 0xff) << 16 | (packet[6] & 0xff) << 8
                | (packet[7] & 0xff)) == STUN_MAGIC_COOKIE;
    }
}
