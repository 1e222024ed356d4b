package org.p2pdns.node.intro;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.transport.DatagramTransport;

/**
 * Encodes and decodes introduction-protocol messages (big-endian; layout in docs/introduction-server.md). Decoding
 * checks bounds before every read and throws only {@link IntroDecodeException}; it never verifies signatures (see
 * {@link #verify}).
 */
public final class IntroCodec {
    private IntroCodec() {
    }

    public static final int REGISTER = 0x60;
    public static final int REGISTERED = 0x61;
    public static final int PEERS_REQUEST = 0x62;
    public static final int PEERS = 0x63;
    public static final int RENDEZVOUS = 0x64;
    public static final int PUNCH_NOW = 0x65;
    public static final int RELAY = 0x66;
    public static final int RELAYED = 0x67;
    public static final int ERROR = 0x68;

    /** Bytes a RELAY adds around the relayed datagram (type, version, two ids, length). */
    public static final int RELAY_OVERHEAD = 2 + 32 + 32 + 2;
    /** Largest relayed payload: one full datagram of the node's transport. */
    public static final int MAX_RELAY_PAYLOAD = DatagramTransport.MAX_DATAGRAM;
    /** Largest intro message: a RELAY of a full datagram. Nothing else comes close. */
    public static final int MAX_MESSAGE = MAX_RELAY_PAYLOAD + RELAY_OVERHEAD;
    /** Largest non-relay message the server sends; peer samples are cut to fit. */
    public static final int MAX_REPLY = DatagramTransport.MAX_DATAGRAM;

    private static final byte[] REGISTER_DOMAIN = "p2pdns/intro/register/v1".getBytes(StandardCharsets.US_ASCII);

    /** True when {@code packet} is in the intro range. */
    public static boolean isIntro(byte[] packet) {
        return packet.length > 0 && (packet[0] & 0xff) >= REGISTER && (packet[0] & 0xff) <= 0x6f;
    }

    // ------------------------------------------------------------------ signing

    /** Builds a signed REGISTER. */
    public static IntroMessage.Register signRegister(Ed25519PrivateKeyParameters key, long requestId,
                                                     long timestampMillis, int wantPeers, long cookie,
                                                     List<InetSocketAddress> locals) {
        byte[] pub = key.generatePublicKey().getEncoded();
        IntroMessage.Register unsigned = new IntroMessage.Register(requestId, pub, timestampMillis, wantPeers, cookie,
                locals, new byte[64]);
        byte[] body = signedPart(unsigned);
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, key);
        s.update(REGISTER_DOMAIN, 0, REGISTER_DOMAIN.length);
        s.update(body, 0, body.length);
        return new IntroMessage.Register(requestId, pub, timestampMillis, wantPeers, cookie, locals,
                s.generateSignature());
    }

    /** True when the REGISTER's signature verifies under its own key. */
    public static boolean verify(IntroMessage.Register r) {
        try {
            Ed25519Signer s = new Ed25519Signer();
            s.init(false, new Ed25519PublicKeyParameters(r.publicKey(), 0));
            byte[] body = signedPart(r);
            s.update(REGISTER_DOMAIN, 0, REGISTER_DOMAIN.length);
            s.update(body, 0, body.length);
            return s.verifySignature(r.signature());
        } catch (RuntimeException e) { // a key that is not a curve point
            return false;
        }
    }

    private static byte[] signedPart(IntroMessage.Register r) {
        byte[] all = encode(r);
        byte[] body = new byte[all.length - 64];
        System.arraycopy(all, 0, body, 0, body.length);
        return body;
    }

    // ------------------------------------------------------------------ encode

    /** The wire bytes of {@code m}. Peer lists that do not fit {@link #MAX_REPLY} are cut. */
    public static byte[] encode(IntroMessage m) {
        return encode(m, MAX_REPLY);
    }

    /**
     * The wire bytes of {@code m}, with any peer list cut so that the whole message stays within {@code maxBytes}
     * (the server's anti-amplification cap for addresses that have not proved they receive).
     */
    public static byte[] encode(IntroMessage m, int maxBytes) {
        Out o = new Out();
        o.u8(m.type());
        o.u8(IntroMessage.VERSION);
        if (m instanceof IntroMessage.Register r) {
            o.u64(r.requestId());
            o.bytes(r.publicKey());
            o.u64(r.timestampMillis());
            o.u8(r.wantPeers());
            o.u64(r.cookie());
            endpoints(o, r.locals());
            o.bytes(r.signature());
        } else if (m instanceof IntroMessage.Registered r) {
            o.u64(r.requestId());
            endpoint(o, r.observed());
            o.u32(r.ttlSeconds());
            o.u64(r.cookie());
            peers(o, r.peers(), maxBytes);
        } else if (m instanceof IntroMessage.PeersRequest r) {
            o.u64(r.requestId());
            o.bytes(r.nodeId().toBytes());
            o.u8(r.want());
            o.u64(r.cookie());
        } else if (m instanceof IntroMessage.Peers r) {
            o.u64(r.requestId());
            peers(o, r.peers(), maxBytes);
        } else if (m instanceof IntroMessage.Rendezvous r) {
            o.u64(r.requestId());
            o.bytes(r.nodeId().toBytes());
            o.bytes(r.targetId().toBytes());
        } else if (m instanceof IntroMessage.PunchNow r) {
            o.u64(r.requestId());
            o.u64(r.token());
            o.u8(r.initiator() ? 1 : 0);
            peer(o, r.peer());
        } else if (m instanceof IntroMessage.Relay r) {
            payloadCheck(r.payload());
            o.bytes(r.fromId().toBytes());
            o.bytes(r.toId().toBytes());
            o.u16(r.payload().length);
            o.bytes(r.payload());
        } else if (m instanceof IntroMessage.Relayed r) {
            payloadCheck(r.payload());
            o.bytes(r.fromId().toBytes());
            o.u16(r.payload().length);
            o.bytes(r.payload());
        } else if (m instanceof IntroMessage.Error r) {
            o.u64(r.requestId());
            o.u8(r.error().code());
        }
        return o.toBytes();
    }

    private static void payloadCheck(byte[] p) {
        if (p.length > MAX_RELAY_PAYLOAD) {
            throw new IllegalArgumentException("relay payload over " + MAX_RELAY_PAYLOAD + " bytes");
        }
    }

    private static void peers(Out o, List<PeerInfo> peers, int maxTotal) {
        int countAt = o.size();
        o.u8(0);
        int n = 0;
        for (PeerInfo p : peers) {
            if (n == 255 || o.size() + peerSize(p) > maxTotal) {
                break;
            }
            peer(o, p);
            n++;
        }
        o.set(countAt, n);
    }

    private static int peerSize(PeerInfo p) {
        int s = 32 + endpointSize(p.reflexive()) + 1;
        for (InetSocketAddress a : p.locals()) {
            s += endpointSize(a);
        }
        return s;
    }

    private static int endpointSize(InetSocketAddress a) {
        return 1 + a.getAddress().getAddress().length + 2;
    }

    private static void peer(Out o, PeerInfo p) {
        o.bytes(p.publicKey());
        endpoint(o, p.reflexive());
        endpoints(o, p.locals());
    }

    private static void endpoints(Out o, List<InetSocketAddress> eps) {
        o.u8(eps.size());
        for (InetSocketAddress a : eps) {
            endpoint(o, a);
        }
    }

    private static void endpoint(Out o, InetSocketAddress a) {
        if (a.getAddress() == null) {
            throw new IllegalArgumentException("unresolved endpoint " + a);
        }
        byte[] ip = a.getAddress().getAddress();
        o.u8(ip.length == 4 ? 4 : 6);
        o.bytes(ip);
        o.u16(a.getPort());
    }

    // ------------------------------------------------------------------ decode

    /** Decodes one message; the whole packet must be consumed. */
    public static IntroMessage decode(byte[] packet) throws IntroDecodeException {
        if (packet.length > MAX_MESSAGE) {
            throw new IntroDecodeException(IntroError.TOO_LARGE, "intro packet of " + packet.length + " bytes");
        }
        In in = new In(packet);
        int type = in.u8();
        int version = in.u8();
        if (version != IntroMessage.VERSION) {
            throw new IntroDecodeException(IntroError.UNSUPPORTED_VERSION, "intro version " + version);
        }
        IntroMessage m = switch (type) {
            case REGISTER -> {
                long id = in.u64();
                byte[] key = in.bytes(32);
                long ts = in.u64();
                int want = in.u8();
                long cookie = in.u64();
                List<InetSocketAddress> locals = endpoints(in);
                yield new IntroMessage.Register(id, key, ts, want, cookie, locals, in.bytes(64));
            }
            case REGISTERED -> new IntroMessage.Registered(in.u64(), endpoint(in), in.u32(), in.u64(), peers(in));
            case PEERS_REQUEST -> new IntroMessage.PeersRequest(in.u64(), nodeId(in), in.u8(), in.u64());
            case PEERS -> new IntroMessage.Peers(in.u64(), peers(in));
            case RENDEZVOUS -> new IntroMessage.Rendezvous(in.u64(), nodeId(in), nodeId(in));
            case PUNCH_NOW -> {
                long id = in.u64();
                long token = in.u64();
                int flag = in.u8();
                if (flag > 1) {
                    throw new IntroDecodeException(IntroError.MALFORMED, "bad initiator flag " + flag);
                }
                yield new IntroMessage.PunchNow(id, token, flag == 1, peer(in));
            }
            case RELAY -> new IntroMessage.Relay(nodeId(in), nodeId(in), payload(in));
            case RELAYED -> new IntroMessage.Relayed(nodeId(in), payload(in));
            case ERROR -> {
                long id = in.u64();
                int code = in.u8();
                IntroError e = IntroError.fromCode(code);
                if (e == null) {
                    throw new IntroDecodeException(IntroError.MALFORMED, "unknown error code " + code);
                }
                yield new IntroMessage.Error(id, e);
            }
            default -> throw new IntroDecodeException(IntroError.MALFORMED,
                    String.format("unknown intro type 0x%02x", type));
        };
        if (in.remaining() != 0) {
            throw new IntroDecodeException(IntroError.MALFORMED, in.remaining() + " trailing bytes");
        }
        return m;
    }

    private static byte[] payload(In in) throws IntroDecodeException {
        int len = in.u16();
        if (len > MAX_RELAY_PAYLOAD) {
            throw new IntroDecodeException(IntroError.TOO_LARGE, "relay payload of " + len + " bytes");
        }
        return in.bytes(len);
    }

    private static NodeId nodeId(In in) throws IntroDecodeException {
        return NodeId.of(in.bytes(NodeId.BYTES));
    }

    private static List<PeerInfo> peers(In in) throws IntroDecodeException {
        int n = in.u8();
        List<PeerInfo> out = new ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
            out.add(peer(in));
        }
        return out;
    }

    private static PeerInfo peer(In in) throws IntroDecodeException {
        byte[] key = in.bytes(32);
        InetSocketAddress refl = endpoint(in);
        return new PeerInfo(key, refl, endpoints(in));
    }

    private static List<InetSocketAddress> endpoints(In in) throws IntroDecodeException {
        int n = in.u8();
        if (n > PeerInfo.MAX_LOCALS) {
            throw new IntroDecodeException(IntroError.MALFORMED, n + " local endpoints (max " + PeerInfo.MAX_LOCALS + ")");
        }
        List<InetSocketAddress> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(endpoint(in));
        }
        return out;
    }

    private static InetSocketAddress endpoint(In in) throws IntroDecodeException {
        int family = in.u8();
        byte[] ip;
        if (family == 4) {
            ip = in.bytes(4);
        } else if (family == 6) {
            ip = in.bytes(16);
        } else {
            throw new IntroDecodeException(IntroError.MALFORMED, "address family " + family);
        }
        int port = in.u16();
        if (port == 0) {
            throw new IntroDecodeException(IntroError.MALFORMED, "port 0");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new IntroDecodeException(IntroError.MALFORMED, "bad address");
        }
    }

    /** Bounds-checked big-endian reader. */
    static final class In {
        private final byte[] b;
        private int pos;

        In(byte[] b) {
            this.b = b;
        }

        int remaining() {
            return b.length - pos;
        }

        private void need(int n) throws IntroDecodeException {
            if (b.length - pos < n) {
                throw new IntroDecodeException(IntroError.MALFORMED,
                        "truncated: need " + n + " bytes at offset " + pos + " of " + b.length);
            }
        }

        int u8() throws IntroDecodeException {
            need(1);
            return b[pos++] & 0xff;
        }

        int u16() throws IntroDecodeException {
            need(2);
            int v = (b[pos] & 0xff) << 8 | (b[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        int u32() throws IntroDecodeException {
            need(4);
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v = v << 8 | (b[pos + i] & 0xff);
            }
            pos += 4;
            if (v < 0) {
                throw new IntroDecodeException(IntroError.MALFORMED, "u32 out of range");
            }
            return v;
        }

        long u64() throws IntroDecodeException {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (b[pos + i] & 0xff);
            }
            pos += 8;
            return v;
        }

        byte[] bytes(int n) throws IntroDecodeException {
            need(n);
            byte[] out = new byte[n];
            System.arraycopy(b, pos, out, 0, n);
            pos += n;
            return out;
        }
    }

    /** Big-endian writer. */
    static final class Out {
        private final ByteArrayOutputStream bo = new ByteArrayOutputStream(128);
        private byte[] patched;

        int size() {
            return bo.size();
        }

        void u8(int v) {
            bo.write(v);
        }

        void u16(int v) {
            bo.write(v >>> 8);
            bo.write(v);
        }

        void u32(int v) {
            u16(v >>> 16);
            u16(v);
        }

        void u64(long v) {
            u32((int) (v >>> 32));
            u32((int) v);
        }

        void bytes(byte[] v) {
            bo.write(v, 0, v.length);
        }

        void set(int at, int v) {
            patched = bo.toByteArray();
            patched[at] = (byte) v;
            bo.reset();
            bo.write(patched, 0, patched.length);
        }

        byte[] toBytes() {
            return bo.toByteArray();
        }
    }
}
