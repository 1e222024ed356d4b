package org.p2pdns.node.nat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroCodec;
import org.p2pdns.node.transport.DatagramReceiver;
import org.p2pdns.node.transport.DatagramTransport;
import org.p2pdns.node.transport.PacketType;

/**
 * The node's socket as the layers above the NAT code see it. Incoming datagrams are split by first byte: intro
 * messages, PUNCH and STUN go to the NAT components, the rest (secure-transport packets) up. Peers reached through
 * a relay get a local <em>relay alias</em> address ({@code fd70:3270::/32}, port 1, never on the wire): sending to
 * it wraps the datagram into a RELAY, or, once a later punch succeeded, sends it straight to the punched address;
 * datagrams relayed from such a peer arrive from its alias. The socket is shared, so the NAT mapping STUN reports is
 * the one peers use.
 */
public final class NatDatagramTransport implements DatagramTransport {

    /** Sends a datagram to a peer through the relay; false when no relay is available. */
    @FunctionalInterface
    public interface Relayer {
        boolean relay(NodeId peer, byte[] packet);
    }

    private static final DatagramReceiver NONE = (from, p) -> { };

    /**
     * Largest datagram that can go to a relayed peer: wrapped in a RELAY it must still fit
     * {@link DatagramTransport#MAX_DATAGRAM}. Larger ones are dropped and counted ({@link #relayDrops}).
     */
    public static final int MAX_RELAYED_DATAGRAM = DatagramTransport.MAX_DATAGRAM - IntroCodec.RELAY_OVERHEAD;

    private final DatagramTransport inner;
    private final Map<InetSocketAddress, NodeId> aliasToPeer = new ConcurrentHashMap<>();
    private final Map<NodeId, InetSocketAddress> direct = new ConcurrentHashMap<>();
    private volatile DatagramReceiver upper = NONE;
    private volatile DatagramReceiver intro = NONE;
    private volatile DatagramReceiver punch = NONE;
    private volatile DatagramReceiver stun = NONE;
    private volatile Relayer relayer = (peer, p) -> false;
    private volatile long relayDrops;

    public NatDatagramTransport(DatagramTransport inner) {
        this.inner = inner;
        inner.setReceiver(this::dispatch);
    }

    /** Where intro-range (0x60..0x6f), PUNCH and STUN datagrams go. */
    public void setNatHandlers(DatagramReceiver intro, DatagramReceiver punch, DatagramReceiver stun) {
        this.intro = intro;
        this.punch = punch;
        this.stun = stun;
    }

    public void setRelayer(Relayer relayer) {
        this.relayer = relayer;
    }

    private void dispatch(InetSocketAddress from, byte[] p) {
        if (p.length == 0) {
            return;
        }
        int t = p[0] & 0xff;
        if (IntroCodec.isIntro(p)) {
            intro.onDatagram(from, p);
        } else if (t == PacketType.PUNCH) {
            punch.onDatagram(from, p);
        } else if (PacketType.isStun(p)) {
            stun.onDatagram(from, p);
        } else {
            upper.onDatagram(from, p);
        }
    }

    /** A datagram the introduction server relayed from {@code peer}: delivered as coming from its alias. */
    public void deliverRelayed(NodeId peer, byte[] p) {
        if (p.length == 0 || IntroCodec.isIntro(p) || PacketType.isStun(p)) {
            relayDrops++; // nothing of the server's own protocols rides inside a relay
            return;
        }
        InetSocketAddress alias = aliasFor(peer);
        if ((p[0] & 0xff) == PacketType.PUNCH) {
            punch.onDatagram(alias, p);
        } else {
            upper.onDatagram(alias, p);
        }
    }

    /** The relay alias of {@code peer} (stable for the life of this transport). */
    public InetSocketAddress aliasFor(NodeId peer) {
        byte[] ip = new byte[16];
        ip[0] = (byte) 0xfd;
        ip[1] = 0x70;
        ip[2] = 0x32;
        ip[3] = 0x70;
        byte[] id = peer.toBytes();
        System.arraycopy(id, 0, ip, 4, 12);
        InetSocketAddress a;
        try {
            a = new InetSocketAddress(InetAddress.getByAddress(ip), 1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        aliasToPeer.putIfAbsent(a, peer);
        return a;
    }

    /** True when {@code a} is a relay alias. */
    public static boolean isAlias(InetSocketAddress a) {
        byte[] ip = a.getAddress() == null ? new byte[0] : a.getAddress().getAddress();
        return ip.length == 16 && (ip[0] & 0xff) == 0xfd && ip[1] == 0x70 && ip[2] == 0x32 && ip[3] == 0x70
                && a.getPort() == 1;
    }

    /** From now on, datagrams for {@code peer}'s alias go straight to {@code address} (a punch succeeded). */
    public void routeDirect(NodeId peer, InetSocketAddress address) {
        direct.put(peer, address);
    }

    /** Datagrams for {@code peer}'s alias go through the relay again. */
    public void routeRelay(NodeId peer) {
        direct.remove(peer);
    }

    @Override
    public InetSocketAddress localAddress() {
        return inner.localAddress();
    }

    @Override
    public void send(InetSocketAddress to, byte[] packet) {
        if (isAlias(to)) {
            NodeId peer = aliasToPeer.get(to);
            if (peer == null) {
                relayDrops++;
                return;
            }
            InetSocketAddress d = direct.get(peer);
            if (d != null) {
                inner.send(d, packet);
            } else if (packet.length > MAX_RELAYED_DATAGRAM || !relayer.relay(peer, packet)) {
                relayDrops++;
            }
            return;
        }
        inner.send(to, packet);
    }

    /** Datagrams for aliases that could not be relayed (no registration, or larger than MAX_RELAYED_DATAGRAM). */
    public long relayDrops() {
        return relayDrops;
    }

    @Override
    public void setReceiver(DatagramReceiver receiver) {
        this.upper = receiver;
    }

    /** The socket underneath. */
    public DatagramTransport inner() {
        return inner;
    }

    @Override
    public void close() {
        inner.close();
    }
}
