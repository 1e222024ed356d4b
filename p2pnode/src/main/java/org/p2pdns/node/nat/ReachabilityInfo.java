package org.p2pdns.node.nat;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.node.intro.IntroDecodeException;
import org.p2pdns.node.intro.IntroError;

/**
 * How to reach a node, as it advertises it: its NAT mapping, its reflexive endpoint and the introduction servers it
 * is registered with (where others can ask for a rendezvous or relay). Encoded: version 1, mapping ordinal, reflexive
 * endpoint (family 4|6, address, port; family 0 = none), server count (max 4), server endpoints.
 */
public record ReachabilityInfo(NatMapping mapping, InetSocketAddress reflexive, List<InetSocketAddress> introServers) {

    public static final int VERSION = 1;
    public static final int MAX_SERVERS = 4;

    public ReachabilityInfo {
        introServers = List.copyOf(introServers);
        if (introServers.size() > MAX_SERVERS) {
            throw new IllegalArgumentException("at most " + MAX_SERVERS + " introduction servers");
        }
    }

    /** True when peers need an introduction server to reach this node (it is behind a NAT). */
    public boolean needsIntroduction() {
        return mapping != NatMapping.NO_NAT;
    }

    public byte[] encode() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(VERSION);
        o.write(mapping.ordinal());
        endpoint(o, reflexive);
        o.write(introServers.size());
        for (InetSocketAddress s : introServers) {
            endpoint(o, s);
        }
        return o.toByteArray();
    }

    private static void endpoint(ByteArrayOutputStream o, InetSocketAddress a) {
        if (a == null) {
            o.write(0);
            return;
        }
        byte[] ip = a.getAddress().getAddress();
        o.write(ip.length == 4 ? 4 : 6);
        o.write(ip, 0, ip.length);
        o.write(a.getPort() >> 8);
        o.write(a.getPort());
    }

    public static ReachabilityInfo decode(byte[] b) throws IntroDecodeException {
        int[] pos = {0};
        if (need(b, pos, 2)[0] != VERSION) {
            throw new IntroDecodeException(IntroError.UNSUPPORTED_VERSION, "reachability version " + b[0]);
        }
        int m = b[1] & 0xff;
        if (m >= NatMapping.values().length) {
            throw new IntroDecodeException(IntroError.MALFORMED, "mapping " + m);
        }
        pos[0] = 2;
        InetSocketAddress refl = endpoint(b, pos);
        int n = need(b, pos, 1)[pos[0]++] & 0xff;
        if (n > MAX_SERVERS) {
            throw new IntroDecodeException(IntroError.MALFORMED, n + " servers");
        }
        List<InetSocketAddress> servers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            InetSocketAddress s = endpoint(b, pos);
            if (s == null) {
                throw new IntroDecodeException(IntroError.MALFORMED, "empty server endpoint");
            }
            servers.add(s);
        }
        if (pos[0] != b.length) {
            throw new IntroDecodeException(IntroError.MALFORMED, "trailing bytes");
        }
        return new ReachabilityInfo(NatMapping.values()[m], refl, servers);
    }

    private static byte[] need(byte[] b, int[] pos, int n) throws IntroDecodeException {
        if (b.length - pos[0] < n) {
            throw new IntroDecodeException(IntroError.MALFORMED, "truncated reachability info");
        }
        return b;
    }

    private static InetSocketAddress endpoint(byte[] b, int[] pos) throws IntroDecodeException {
        int fam = need(b, pos, 1)[pos[0]++] & 0xff;
        if (fam == 0) {
            return null;
        }
        int len = fam == 4 ? 4 : fam == 6 ? 16 : -1;
        if (len < 0) {
            throw new IntroDecodeException(IntroError.MALFORMED, "family " + fam);
        }
        need(b, pos, len + 2);
        byte[] ip = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + len);
        int port = (b[pos[0] + len] & 0xff) << 8 | (b[pos[0] + len + 1] & 0xff);
        pos[0] += len + 2;
        if (port == 0) {
            throw new IntroDecodeException(IntroError.MALFORMED, "port 0");
        }
        try {
            InetAddress a = InetAddress.getByAddress(ip);
            if (len == 16 && a instanceof java.net.Inet4Address) {
                // an IPv4-mapped address would re-encode as family 4: one endpoint, one encoding
                throw new IntroDecodeException(IntroError.MALFORMED, "IPv4-mapped address in family 6");
            }
            return new InetSocketAddress(a, port);
        } catch (UnknownHostException e) {
            throw new IntroDecodeException(IntroError.MALFORMED, "bad address");
        }
    }
}
