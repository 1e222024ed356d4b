package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.transport.DatagramReceiver;
import org.p2pdns.node.transport.DatagramTransport;

/** An in-memory datagram network in virtual time, for NAT-client tests. */
final class MemNet {

    final VirtualScheduler clock = new VirtualScheduler();
    final Map<InetSocketAddress, Endpoint> endpoints = new HashMap<>();
    final List<Object[]> log = new ArrayList<>();
    Duration latency = Duration.ofMillis(10);
    /** Drops a datagram (from, to) when true. */
    BiPredicate<InetSocketAddress, InetSocketAddress> drop = (f, t) -> false;

    final class Endpoint implements DatagramTransport {
        final InetSocketAddress address;
        /** The source address receivers see (a NAT in front of this endpoint rewrites it). */
        InetSocketAddress seenAs;
        DatagramReceiver receiver = (f, p) -> { };

        Endpoint(InetSocketAddress address) {
            this.address = address;
            this.seenAs = address;
        }

        @Override
        public InetSocketAddress localAddress() {
            return address;
        }

        @Override
        public void send(InetSocketAddress to, byte[] packet) {
            log.add(new Object[]{seenAs, to, packet});
            InetSocketAddress from = seenAs;
            if (drop.test(from, to)) {
                return;
            }
            clock.schedule(latency, () -> {
                Endpoint e = endpoints.values().stream().filter(x -> x.seenAs.equals(to)).findFirst().orElse(null);
                if (e != null) {
                    e.receiver.onDatagram(from, packet.clone());
                }
            });
        }

        @Override
        public void setReceiver(DatagramReceiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public void close() {
        }
    }

    Endpoint endpoint(String ip, int port) {
        Endpoint e = new Endpoint(new InetSocketAddress(ip, port));
        endpoints.put(e.address, e);
        return e;
    }
}
