package org.p2pdns.node.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeId;

/** Appends big-endian fields to a growing buffer. */
final class WireWriter {

    private byte[] buf = new byte[256];
    private int pos;

    private void ensure(int n) {
        if (buf.length - pos < n) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    WireWriter u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    WireWriter u16(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    WireWriter u64(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    WireWriter bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    WireWriter id(NodeId id) {
        ensure(NodeId.BYTES);
        id.writeTo(buf, pos);
        pos += NodeId.BYTES;
        return this;
    }

    WireWriter contact(Contact c) {
        bytes(c.publicKey());
        InetAddress a = c.address().getAddress();
        u8(a instanceof Inet4Address ? DhtCodec.FAMILY_IPV4 : DhtCodec.FAMILY_IPV6);
        bytes(a.getAddress());
        return u16(c.address().getPort());
    }

    int size() {
        return pos;
    }

    byte[] toBytes() {
        return Arrays.copyOf(buf, pos);
    }
}
