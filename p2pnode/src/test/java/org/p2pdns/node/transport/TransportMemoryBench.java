package org.p2pdns.node.transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.time.VirtualScheduler;

/**
 * Heap cost of the secure transport per node (run by scripts/bench-transport.sh; not a unit test): many nodes on an
 * in-memory network in virtual time, each with sessions to a number of peers; prints heap per node and per session.
 */
public final class TransportMemoryBench {

    private TransportMemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int peersEach = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        VirtualScheduler s = new VirtualScheduler();
        Random r = new Random(1);
        TransportConfig cfg = TransportConfig.forNetwork(NetworkParams.TEST).withHandshakeRate(1e9, 1_000_000);
        Map<InetSocketAddress, SecureTransport> byAddress = new HashMap<>();
        List<SecureTransport> transports = new ArrayList<>();
        List<Contact> contacts = new ArrayList<>();
        long before = usedHeap();
        for (int i = 0; i < nodes; i++) {
            NodeIdentity id = NodeIdentity.generate(r);
            InetSocketAddress addr = new InetSocketAddress("10.0." + (i / 250) + "." + (i % 250 + 1), 4000);
            DatagramTransport link = new DatagramTransport() {
                @Override
                public InetSocketAddress localAddress() {
                    return addr;
                }

                @Override
                public void send(InetSocketAddress to, byte[] packet) {
                    SecureTransport t = byAddress.get(to);
                    s.schedule(Duration.ofMillis(1), () -> t.onDatagram(addr, packet));
                }

                @Override
                public void setReceiver(DatagramReceiver receiver) {
                }

                @Override
                public void close() {
                }
            };
            SecureTransport t = new SecureTransport(id, link, s, new Random(i), cfg, new TransportStats());
            t.setHandler((from, m) -> { });
            byAddress.put(addr, t);
            transports.add(t);
            contacts.add(id.contact(addr));
        }
        for (int i = 0; i < nodes; i++) {
            for (int k = 1; k <= peersEach / 2; k++) {
                transports.get(i).send(contacts.get((i + k) % nodes), new byte[50]);
            }
        }
        s.runFor(Duration.ofSeconds(5));
        long after = usedHeap();
        long sessions = transports.stream().mapToLong(SecureTransport::sessionCount).sum();
        System.out.printf("%d nodes with %.1f sessions each: %.1f KB of heap per node (%.2f KB per session, identity,"
                + " transport state and caches included; no sockets)%n", nodes, sessions / (double) nodes,
                (after - before) / 1024.0 / nodes, (after - before) / 1024.0 / sessions);
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
