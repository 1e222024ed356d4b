package org.p2pdns.node.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeId;

/** Reads big-endian fields from a message, checking bounds before every read. */
final class WireReader {

    private final byte[] buf;
    private int pos;

    WireReader(byte[] buf) {
        this.buf = buf;
    }

    private void require(int n, String what) throws WireException {
        if (buf.length - pos < n) {
            throw new WireException(WireException.Error.TRUNCATED,
                    what + " needs " + n + " bytes at offset " + pos + ", " + (buf.length - pos) + " left");
        }
    }

    int u8(String what) throws WireException {
        require(1, what);
        return buf[pos++] & 0xff;
    }

    int u16(String what) throws WireException {
        require(2, what);
        int v = (buf[pos] & 0xff) << 8 | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    long u64(String what) throws WireException {
        require(8, what);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return v;
    }

    byte[] bytes(int n, String what) throws WireException {
        require(n, what);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    NodeId id(String what) throws WireException {
        require(NodeId.BYTES, what);
        NodeId id = NodeId.of(buf, pos);
        pos += NodeId.BYTES;
        return id;
    }

    Contact contact() throws WireException {
        byte[] key = bytes(32, "contact key");
        int family = u8("contact address family");
        byte[] addr;
        if (family == DhtCodec.FAMILY_IPV4) {
            addr = bytes(4, "IPv4 address");
        } else if (family == DhtCodec.FAMILY_IPV6) {
            addr = bytes(16, "IPv6 address");
        } else {
            throw new WireException(WireException.Error.BAD_ADDRESS, "address family " + family);
        }
        int port = u16("contact port");
        if (port == 0) {
            throw new WireException(WireException.Error.BAD_ADDRESS, "port 0");
        }
        InetAddress ia;
        try {
            ia = InetAddress.getByAddress(addr);
        } catch (UnknownHostException e) {
            throw new WireException(WireException.Error.BAD_ADDRESS, "address of " + addr.length + " bytes");
        }
        if (ia.isAnyLocalAddress() || ia.isMulticastAddress()) {
            throw new WireException(WireException.Error.BAD_ADDRESS, "unusable address " + ia.getHostAddress());
        }
        return Contact.of(key, new InetSocketAddress(ia, port));
    }

    int remaining() {
        return buf.length - pos;
    }

    void end() throws WireException {
        if (pos != buf.length) {
            throw new WireException(WireException.Error.TRAILING_BYTES, (buf.length - pos) + " bytes after the message");
        }
    }
}
