package org.p2pdns.node.nat;

import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroDecodeException;
import org.p2pdns.node.intro.IntroError;
import org.p2pdns.node.transport.PacketType;

/**
 * A hole-punch datagram between two nodes (first byte {@link PacketType#PUNCH}): a PROBE is answered with an ACK to
 * the address it came from; KEEPALIVE holds a mapping open and is not answered. {@code token} is the rendezvous token
 * (or 0 for direct probes); {@code sender} the sending node's id. Layout: type, version, kind, token (8), id (32).
 */
public record PunchPacket(Kind kind, long token, NodeId sender) {

    /** What a punch datagram asks for. */
    public enum Kind { PROBE, ACK, KEEPALIVE }

    public static final int VERSION = 1;
    public static final int BYTES = 3 + 8 + NodeId.BYTES;

    public byte[] encode() {
        byte[] b = new byte[BYTES];
        b[0] = (byte) PacketType.PUNCH;
        b[1] = VERSION;
        b[2] = (byte) kind.ordinal();
        for (int i = 0; i < 8; i++) {
            b[3 + i] = (byte) (token >>> (56 - 8 * i));
        }
        sender.writeTo(b, 11);
        return b;
    }

    public static PunchPacket decode(byte[] b) throws IntroDecodeException {
        if (b.length != BYTES) {
            throw new IntroDecodeException(IntroError.MALFORMED, "punch packet of " + b.length + " bytes");
        }
        if ((b[0] & 0xff) != PacketType.PUNCH) {
            throw new IntroDecodeException(IntroError.MALFORMED, "not a punch packet");
        }
        if (b[1] != VERSION) {
            throw new IntroDecodeException(IntroError.UNSUPPORTED_VERSION, "punch version " + b[1]);
        }
        int k = b[2] & 0xff;
        if (k >= Kind.values().length) {
            throw new IntroDecodeException(IntroError.MALFORMED, "punch kind " + k);
        }
        long token = 0;
        for (int i = 0; i < 8; i++) {
            token = token << 8 | (b[3 + i] & 0xff);
        }
        return new PunchPacket(Kind.values()[k], token, NodeId.of(b, 11));
    }
}
