package org.p2pdns.node.transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.p2pdns.node.time.VirtualScheduler;

/**
 * An in-memory datagram network for transport tests: endpoints with made-up addresses exchange datagrams on one
 * {@link VirtualScheduler} after a fixed latency. A filter can drop, alter or capture packets in flight, and tests can
 * inject raw datagrams from any address.
 */
final class LoopbackDatagramNetwork {

    /** Sees every datagram in flight; returns what to deliver ({@code null} drops it). */
    @FunctionalInterface
    interface Filter {
        byte[] apply(InetSocketAddress from, InetSocketAddress to, byte[] packet);
    }

    /** A datagram that was sent. */
    record Sent(InetSocketAddress from, InetSocketAddress to, byte[] packet) {
    }

    private final VirtualScheduler scheduler;
    private final Duration latency;
    private final Map<InetSocketAddress, Endpoint> endpoints = new HashMap<>();
    private final List<Sent> log = new ArrayList<>();
    private Filter filter = (f, t, p) -> p;
    private int nextHost = 1;

    LoopbackDatagramNetwork(VirtualScheduler scheduler, Duration latency) {
        this.scheduler = scheduler;
        this.latency = latency;
    }

    /** A new endpoint at 10.0.0.n:4000. */
    Endpoint endpoint() {
        return endpoint(new InetSocketAddress("10.0.0." + nextHost++, 4000));
    }

    /** A new endpoint at {@code address}. */
    Endpoint endpoint(InetSocketAddress address) {
        Endpoint e = new Endpoint(address);
        endpoints.put(address, e);
        return e;
    }

    void setFilter(Filter f) {
        this.filter = f;
    }

    /** Every datagram sent so far, in order. */
    List<Sent> log() {
        return log;
    }

    /** Delivers {@code packet} to {@code to} as if sent from {@code from}, after the usual latency. */
    void inject(InetSocketAddress from, InetSocketAddress to, byte[] packet) {
        Endpoint e = endpoints.get(to);
        byte[] copy = packet.clone();
        scheduler.schedule(latency, () -> {
            if (e != null && !e.closed && e.receiver != null) {
                e.receiver.onDatagram(from, copy);
            }
        });
    }

    /** One endpoint; implements the real transport's contract (size limit, counters). */
    final class Endpoint implements DatagramTransport {
        final InetSocketAddress address;
        final TransportStats stats = new TransportStats();
        DatagramReceiver receiver;
        boolean closed;

        Endpoint(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public InetSocketAddress localAddress() {
            return address;
        }

        @Override
        public void send(InetSocketAddress to, byte[] packet) {
            if (packet.length > MAX_DATAGRAM) {
                stats.increment(TransportStats.Counter.OVERSIZED_SEND_DROPPED);
                return;
            }
            stats.increment(TransportStats.Counter.DATAGRAMS_SENT);
            log.add(new Sent(address, to, packet.clone()));
            byte[] delivered = filter.apply(address, to, packet.clone());
            if (delivered != null) {
                inject(address, to, delivered);
            }
        }

        @Override
        public void setReceiver(DatagramReceiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
