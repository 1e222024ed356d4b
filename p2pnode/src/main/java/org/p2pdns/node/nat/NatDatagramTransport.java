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
import org.p2pdns.node.util.LruMap;

/**
 * The node's socket as the layers above the NAT code see it. Incoming datagrams are split by first byte: intro
 * messages, PUNCH and STUN go to the NAT components, the rest (secure-transport packets) up. Peers reached through
 * a relay get a local <em>relay alias</em> address ({@code fd70:3270::/32}, port 1, never on the wire): sending to
 * it wraps the datagram into a RELAY, or, once a later punch succeeded, sends it straight to the punched address;
 * datagrams relayed from such a peer arrive from its alias. Peers an introduction server named are also known by their
 * public address: sends to it follow the peer's route (punched address or relay), and datagrams from the punched
 * address or the relay go up as coming from the public address, so the layers above (whose replies must come from the
 * address they asked) see one stable address per peer. The socket is shared, so the NAT mapping STUN reports is the
 * one peers use.
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

    /** Most peers whose public address this transport remembers. */
    public static final int MAX_KNOWN_PEERS = 4096;

    private final DatagramTransport inner;
    private final Map<InetSocketAddress, NodeId> aliasToPeer = new ConcurrentHashMap<>();
    private final Map<NodeId, InetSocketAddress> direct = new ConcurrentHashMap<>();
    private final java.util.Set<NodeId> relayed = ConcurrentHashMap.newKeySet();
    /** Public (reflexive) addresses of peers the introduction server told us about, bounded, oldest dropped. */
    private final Map<InetSocketAddress, NodeId> publicToPeer = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, NodeId> eldest) {
                    if (size() > MAX_KNOWN_PEERS) {
                        peerToPublic.remove(eldest.getValue(), eldest.getKey());
                        return true;
                    }
                    return false;
                }
            });
    private final Map<NodeId, InetSocketAddress> peerToPublic = new ConcurrentHashMap<>();
    /**
     * Addresses the layers above contacted a peer at (a DHT contact: id and address), not named by any introduction
     * server: if a handshake there goes unanswered, the NAT traversal looks for a path. Bounded, oldest dropped.
     */
    private final Map<InetSocketAddress, NodeId> expected = java.util.Collections.synchronizedMap(LruMap.withMax(MAX_KNOWN_PEERS));
    /** A handshake initiation that went out to a peer's address while no route existed. */
    private record LostInit(InetSocketAddress to, byte[] packet) {
    }

    /** The last handshake initiation sent to each peer with no route yet (replayed once a route exists). */
    private final Map<NodeId, LostInit> lastInit = java.util.Collections.synchronizedMap(LruMap.withMax(256));
    /** Handshake initiations sent to an expected address since anything last came from it. */
    private final Map<InetSocketAddress, Integer> unanswered = java.util.Collections.synchronizedMap(LruMap.withMax(1024));
    private volatile java.util.function.BiConsumer<NodeId, InetSocketAddress> unansweredHandshake = (id, a) -> { };
    /** Punched (peer-reflexive) address -> the peer's public address, so the layers above see one address per peer. */
    private final Map<InetSocketAddress, InetSocketAddress> shownAs = new ConcurrentHashMap<>();
    private volatile java.util.function.BiConsumer<NodeId, InetSocketAddress> unroutedSend = (id, a) -> { };
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
            if (!unanswered.isEmpty()) {
                unanswered.remove(from); // the peer there answers
            }
            InetSocketAddress shown = shownAs.get(from);
            upper.onDatagram(shown != null ? shown : from, p);
        }
    }

    /**
     * Remembers that {@code peer} is registered at public address {@code address} (from an introduction server), so
     * that sends to that address can be routed (punched or relayed) and relayed datagrams from the peer appear to
     * come from it.
     */
    public void knowPeer(NodeId peer, InetSocketAddress address) {
        // an address the peer was known at before keeps routing to it: behind a symmetric NAT a peer has one public
        // address per destination (the DHT may know it at another than its introduction server's)
        peerToPublic.put(peer, address);
        publicToPeer.put(address, peer);
        expected.remove(address);
        InetSocketAddress d = direct.get(peer);
        if (d != null && !d.equals(address)) {
            shownAs.put(d, address);
        }
    }

    /**
     * The layers above are contacting {@code peer} at {@code address} (a DHT contact, key known). If no introduction
     * server named that address and a handshake there goes unanswered (a second initiation goes out with nothing
     * heard from the address in between), the unanswered-handshake hook runs: the peer may be behind a NAT.
     */
    public void expect(NodeId peer, InetSocketAddress address) {
        if (!publicToPeer.containsKey(address) && !isAlias(address)) {
            expected.put(address, peer);
        }
    }

    /** Called (on the sending thread) when a handshake to an expected peer's address goes unanswered. */
    public void onUnansweredHandshake(java.util.function.BiConsumer<NodeId, InetSocketAddress> hook) {
        this.unansweredHandshake = hook;
    }

    /** The peer registered at public {@code address}, or null. */
    public NodeId peerAt(InetSocketAddress address) {
        return publicToPeer.get(address);
    }

    /**
     * Called (on the sending thread) when a datagram goes to a known peer's public address for which no punched or
     * relayed route exists yet: the NAT traversal may start connecting in the background.
     */
    public void onUnroutedSend(java.util.function.BiConsumer<NodeId, InetSocketAddress> hook) {
        this.unroutedSend = hook;
    }

    /**
     * A datagram the introduction server relayed from {@code peer}: delivered up as coming from the peer's known
     * public address (or else its alias); PUNCH datagrams always from the alias, so that a probe answered through the
     * relay is never taken for a punched hole.
     */
    public void deliverRelayed(NodeId peer, byte[] p) {
        if (p.length == 0 || IntroCodec.isIntro(p) || PacketType.isStun(p)) {
            relayDrops++; // nothing of the server's own protocols rides inside a relay
            return;
        }
        if (!direct.containsKey(peer)) {
            relayed.add(peer); // answer the way it came, like a peer-reflexive address
        }
        if ((p[0] & 0xff) == PacketType.PUNCH) {
            punch.onDatagram(aliasFor(peer), p); // the hole puncher must see that this came through the relay
        } else {
            InetSocketAddress known = peerToPublic.get(peer);
            upper.onDatagram(known != null ? known : aliasFor(peer), p);
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

    /**
     * From now on, datagrams for {@code peer} (to its alias or its known public address) go straight to
     * {@code address} (a punch succeeded, possibly at a peer-reflexive address).
     */
    public void routeDirect(NodeId peer, InetSocketAddress address) {
        relayed.remove(peer);
        InetSocketAddress old = direct.put(peer, address);
        if (old != null) {
            shownAs.remove(old);
        }
        InetSocketAddress pub = peerToPublic.get(peer);
        if (pub != null && !pub.equals(address)) {
            shownAs.put(address, pub); // datagrams from the punched address go up as from the public one
        }
    }

    /** Datagrams for {@code peer} (to its alias or its known public address) go through the relay. */
    public void routeRelay(NodeId peer) {
        InetSocketAddress old = direct.remove(peer);
        if (old != null) {
            shownAs.remove(old);
        }
        relayed.add(peer);
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
        NodeId peer = packet.length > 0 && (packet[0] & 0xff) == PacketType.PUNCH
                ? null // probes, acks and keepalives test and hold the real path: never rerouted
                : publicToPeer.get(to);
        if (peer != null) {
            InetSocketAddress d = direct.get(peer);
            if (d != null) {
                inner.send(d, packet);
                return;
            }
            if (relayed.contains(peer)) {
                if (packet.length > MAX_RELAYED_DATAGRAM || !relayer.relay(peer, packet)) {
                    relayDrops++;
                }
                return;
            }
            inner.send(to, packet);
            if (isInit(packet)) {
                lastInit.put(peer, new LostInit(to, packet));
            }
            unroutedSend.accept(peer, to);
            return;
        }
        inner.send(to, packet);
        if (isInit(packet) && !expected.isEmpty()) {
            NodeId e = expected.get(to);
            if (e != null) {
                lastInit.put(e, new LostInit(to, packet));
                if (unanswered.merge(to, 1, Integer::sum) >= 2) {
                    unansweredHandshake.accept(e, to);
                }
            }
        }
    }

    private static boolean isInit(byte[] packet) {
        return packet.length > 0 && (packet[0] & 0xff) == PacketType.HANDSHAKE_INIT;
    }

    /**
     * A route to {@code peer} now exists: the last handshake initiation that went out to one of its addresses before
     * (and was lost) goes again along the route, rather than waiting for the secure transport's next retransmission
     * (1 s, then 2 s later, then it gives up). The initiation is the same bytes, so the responder answers it like any.
     */
    public void replayLastHandshake(NodeId peer) {
        LostInit lost = lastInit.remove(peer);
        if (lost != null && peer.equals(publicToPeer.get(lost.to()))) {
            send(lost.to(), lost.packet());
        }
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
