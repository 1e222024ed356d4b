package org.p2pdns.node.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeId;

/** Reads big-endian fields from a message, checking bounds before every read. */
final class WireReader {

    private static final ThreadLocal<java.security.MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    });

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
        int start = pos;
        require(33, "contact key and family");
        int family = buf[pos + 32] & 0xff;
        int len = family == DhtCodec.FAMILY_IPV4 ? 39 : family == DhtCodec.FAMILY_IPV6 ? 51 : -1;
        if (len < 0) {
            throw new WireException(WireException.Error.BAD_ADDRESS, "address family " + family);
        }
        require(len, "contact");
        byte[] encoded = Arrays.copyOfRange(buf, start, start + len);
        Contact cached = ContactCache.get(encoded);
        if (cached != null) {
            pos += len;
            return cached;
        }
        byte[] key = bytes(32, "contact key");
        u8("contact address family");
        byte[] addr = bytes(family == DhtCodec.FAMILY_IPV4 ? 4 : 16, "address");
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
        // id = SHA-256(key), computed with a reused digest: decoding contacts is the hottest path of a large simulation
        Contact c = new Contact(NodeId.of(SHA256.get().digest(key)), key, new InetSocketAddress(ia, port));
        ContactCache.put(encoded, c);
        return c;
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
