package org.p2pdns.node.transport;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Routes the datagrams of the node's one socket by their first byte ({@link PacketType}): secure-session packets to
 * the secure transport, the introduction range and hole punches to the NAT code, STUN messages to the STUN client.
 * Datagrams no receiver claims are dropped and counted.
 */
public final class PacketDemux implements DatagramReceiver {

    private final TransportStats stats;
    private final AtomicReferenceArray<DatagramReceiver> byType = new AtomicReferenceArray<>(256);
    private volatile DatagramReceiver stun;

    public PacketDemux(TransportStats stats) {
        this.stats = stats;
    }

    /** Creates a demultiplexer and makes it {@code transport}'s receiver. */
    public static PacketDemux attach(DatagramTransport transport, TransportStats stats) {
        PacketDemux d = new PacketDemux(stats);
        transport.setReceiver(d);
        return d;
    }

    /** Sends types {@code first..last} (inclusive, 0x40..0xff) to {@code receiver}, replacing any earlier route. */
    public PacketDemux route(int first, int last, DatagramReceiver receiver) {
        if (first < 0x40 || last > 0xff || first > last) {
            throw new IllegalArgumentException("packet types are in 0x40..0xff (below is STUN's), got " + first + ".."
                    + last);
        }
        for (int t = first; t <= last; t++) {
            byType.set(t, receiver);
        }
        return this;
    }

    /** Handshake and session packets (0x50..0x53), for {@link SecureTransport}. */
    public PacketDemux onSession(DatagramReceiver receiver) {
        return route(PacketType.HANDSHAKE_INIT, PacketType.SESSION_DATA, receiver);
    }

    /** Introduction-server traffic (0x60..0x6f). */
    public PacketDemux onIntro(DatagramReceiver receiver) {
        return route(PacketType.INTRO_FIRST, PacketType.INTRO_LAST, receiver);
    }

    /** Hole-punch probes (0x70). */
    public PacketDemux onPunch(DatagramReceiver receiver) {
        return route(PacketType.PUNCH, PacketType.PUNCH, receiver);
    }

    /** STUN messages (recognised by {@link PacketType#isStun}). */
    public PacketDemux onStun(DatagramReceiver receiver) {
        this.stun = receiver;
        return this;
    }

    @Override
    public void onDatagram(InetSocketAddress from, byte[] packet) {
        if (packet.length == 0) {
            stats.increment(TransportStats.Counter.UNKNOWN_TYPE_DROPPED);
            return;
        }
        DatagramReceiver r = PacketType.isStun(packet) ? stun : byType.get(packet[0] & 0xff);
        if (r == null) {
            stats.increment(TransportStats.Counter.UNKNOWN_TYPE_DROPPED);
            return;
        }
        r.onDatagram(from, packet);
    }
}
