package org.p2pdns.node.nat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.p2pdns.node.intro.IntroDecodeException;
import org.p2pdns.node.intro.IntroError;
import org.p2pdns.node.transport.PacketType;

/**
 * The two STUN messages a node needs (RFC 8489): a Binding request (the 20-byte header, no attributes) and the
 * reflexive address in a Binding success response (XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from RFC 3489 servers).
 * Hand-written because it is this small and runs on the node's own socket; checked against coturn and ice4j in tests.
 */
public final class StunCodec {
    private StunCodec() {
    }

    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int BINDING_ERROR = 0x0111;
    static final int MAPPED_ADDRESS = 0x0001;
    static final int XOR_MAPPED_ADDRESS = 0x0020;
    static final int XOR_MAPPED_ADDRESS_OLD = 0x8020; // pre-RFC 5389 drafts, still sent by some servers
    public static final int TRANSACTION_ID_BYTES = 12;

    /** A decoded Binding response: its transaction id and the reflexive address (null for an error response). */
    public record BindingResponse(byte[] transactionId, InetSocketAddress mapped, boolean error) {
    }

    /** A Binding request with the given 12-byte transaction id. */
    public static byte[] bindingRequest(byte[] transactionId) {
        if (transactionId.length != TRANSACTION_ID_BYTES) {
            throw new IllegalArgumentException("a STUN transaction id is 12 bytes");
        }
        byte[] m = new byte[20];
        m[1] = BINDING_REQUEST;
        // length 0; magic cookie
        m[4] = 0x21;
        m[5] = 0x12;
        m[6] = (byte) 0xA4;
        m[7] = 0x42;
        System.arraycopy(transactionId, 0, m, 8, 12);
        return m;
    }

    /** Decodes a Binding success or error response; anything else is an {@link IntroDecodeException}. */
    public static BindingResponse decodeResponse(byte[] p) throws IntroDecodeException {
        if (!PacketType.isStun(p)) {
            throw bad("not a STUN message");
        }
        int type = u16(p, 0);
        int length = u16(p, 2);
        if (length % 4 != 0 || 20 + length != p.length) {
            throw bad("STUN length " + length + " does not match a packet of " + p.length);
        }
        byte[] tid = new byte[12];
        System.arraycopy(p, 8, tid, 0, 12);
        if (type == BINDING_ERROR) {
            return new BindingResponse(tid, null, true);
        }
        if (type != BINDING_SUCCESS) {
            throw bad(String.format("STUN type 0x%04x is not a Binding response", type));
        }
        InetSocketAddress xor = null;
        InetSocketAddress plain = null;
        int pos = 20;
        while (pos < p.length) {
            if (p.length - pos < 4) {
                throw bad("truncated STUN attribute header");
            }
            int at = u16(p, pos);
            int al = u16(p, pos + 2);
            int padded = (al + 3) & ~3;
            if (p.length - pos - 4 < padded) {
                throw bad("STUN attribute overruns the message");
            }
            int v = pos + 4;
            if (at == XOR_MAPPED_ADDRESS || at == XOR_MAPPED_ADDRESS_OLD) {
                xor = address(p, v, al, tid, true);
            } else if (at == MAPPED_ADDRESS) {
                plain = address(p, v, al, tid, false);
            }
            pos = v + padded;
        }
        InetSocketAddress mapped = xor != null ? xor : plain;
        if (mapped == null) {
            throw bad("Binding response without a mapped address");
        }
        return new BindingResponse(tid, mapped, false);
    }

    private static InetSocketAddress address(byte[] p, int v, int len, byte[] tid, boolean xor)
            throws IntroDecodeException {
        if (len < 4) {
            throw bad("short address attribute");
        }
        int family = p[v + 1] & 0xff;
        int alen = family == 1 ? 4 : family == 2 ? 16 : -1;
        if (alen < 0 || len != 4 + alen) {
            throw bad("address attribute family " + family + " length " + len);
        }
        int port = u16(p, v + 2);
        byte[] ip = new byte[alen];
        System.arraycopy(p, v + 4, ip, 0, alen);
        if (xor) {
            port ^= 0x2112;
            byte[] mask = new byte[16];
            mask[0] = 0x21;
            mask[1] = 0x12;
            mask[2] = (byte) 0xA4;
            mask[3] = 0x42;
            System.arraycopy(tid, 0, mask, 4, 12);
            for (int i = 0; i < alen; i++) {
                ip[i] ^= mask[i];
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw bad("bad address");
        }
    }

    private static int u16(byte[] p, int at) {
        return (p[at] & 0xff) << 8 | (p[at + 1] & 0xff);
    }

    private static IntroDecodeException bad(String why) {
        return new IntroDecodeException(IntroError.MALFORMED, why);
    }
}
