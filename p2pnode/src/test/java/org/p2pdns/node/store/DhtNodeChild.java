package org.p2pdns.node.store;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.time.EventLoopScheduler;
import org.p2pdns.node.transport.SecureTransport;
import org.p2pdns.node.transport.TransportConfig;
import org.p2pdns.node.transport.TransportStats;
import org.p2pdns.node.transport.UdpTransport;

/**
 * Child process of {@link NodeKillNineTest}: a real DHT node on 127.0.0.1 (UDP, Noise) whose values live in a
 * NodeStore in {@code args[0]}; prints "ready PORT PUBLICKEYHEX" and serves until killed.
 */
public final class DhtNodeChild {
    private DhtNodeChild() {
    }

    public static void main(String[] args) throws Exception {
        NetworkParams params = NetworkParams.TEST;
        NodeStore store = NodeStore.open(Path.of(args[0]));
        EventLoopScheduler scheduler = new EventLoopScheduler("child-node");
        TransportStats stats = new TransportStats();
        UdpTransport udp = UdpTransport.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), scheduler,
                stats);
        NodeIdentity id = NodeIdentity.generate(new Random());
        SecureTransport transport = new SecureTransport(id, udp, scheduler, new Random(),
                TransportConfig.forNetwork(params), stats);
        udp.setReceiver(transport);
        DhtNode dht = new DhtNode(DhtConfig.defaults(params), transport.self(), transport, scheduler, new Random(),
                new RecordPolicy(params), store.values());
        dht.start(List.of());
        System.out.println("ready " + udp.localAddress().getPort() + " " + HexFormat.of().formatHex(id.publicKey()));
        System.out.flush();
        Thread.currentThread().join(); // serve until killed; never closes the store
    }
}
