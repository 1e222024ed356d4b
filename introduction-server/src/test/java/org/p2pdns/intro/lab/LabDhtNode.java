package org.p2pdns.intro.lab;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.InMemoryValueStore;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.nat.ConnectTarget;
import org.p2pdns.node.nat.NatConfig;
import org.p2pdns.node.nat.NatTraversal;
import org.p2pdns.node.nat.PeerPath;
import org.p2pdns.node.record.OverlayName;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordCodec;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.time.EventLoopScheduler;
import org.p2pdns.node.transport.SecureTransport;
import org.p2pdns.node.transport.TransportConfig;
import org.p2pdns.node.transport.TransportStats;
import org.p2pdns.node.transport.UdpTransport;

/**
 * A full node stack for the NAT lab: UdpTransport, NAT traversal, SecureTransport (Noise) and a DhtNode with the
 * record policy, on the test network parameters (no proof of work). The responder starts a network of its own and
 * answers {@code resolve NAME} lines on stdin; the initiator reaches the responder through the connectivity chain,
 * joins its DHT through the path, and publishes {@code NAME} with an A record.
 *
 * <pre>LabDhtNode --seed N --intro IP:PORT responder
 * LabDhtNode --seed N --intro IP:PORT initiator PEER_ID_HEX NAME IPV4
 * LabDhtNode --seed N --intro IP:PORT contact PEER_PUBLIC_IP:PORT NAME IPV4</pre>
 * ({@code contact}: the DHT is only given the peer's public address, as from a routing table; the NAT layer finds a
 * path by itself.)
 */
public final class LabDhtNode {
    private LabDhtNode() {
    }

    public static void main(String[] args) throws Exception {
        int seed = 1;
        InetSocketAddress intro = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Integer.parseInt(args[++i]);
                case "--intro" -> {
                    String v = args[++i];
                    int c = v.lastIndexOf(':');
                    intro = new InetSocketAddress(InetAddress.getByName(v.substring(0, c)),
                            Integer.parseInt(v.substring(c + 1)));
                }
                default -> rest.add(args[i]);
            }
        }
        NetworkParams params = NetworkParams.TEST;
        byte[] s = new byte[32];
        new Random(seed).nextBytes(s);
        NodeIdentity identity = NodeIdentity.fromSeed(s);
        Random random = new Random(seed * 17L);
        EventLoopScheduler scheduler = new EventLoopScheduler("lab-node");
        TransportStats stats = new TransportStats();
        UdpTransport udp = UdpTransport.bind(new InetSocketAddress("0.0.0.0", 0), scheduler, stats);
        NatTraversal nat = new NatTraversal(NatConfig.of(List.of(intro)).withStunServers(List.of()),
                new Ed25519PrivateKeyParameters(s), scheduler, udp, random);
        SecureTransport secure = new SecureTransport(identity, nat.transport(), scheduler, random,
                TransportConfig.forNetwork(params), stats);
        nat.transport().setReceiver(secure);
        scheduler.execute(nat::start);
        InetSocketAddress reflexive = nat.introClient().firstRegistration().get(15, TimeUnit.SECONDS).observed();
        secure.setPublicAddress(reflexive);
        DhtNode dht = new DhtNode(DhtConfig.defaults(params), secure.self(), secure, scheduler, random,
                new RecordPolicy(params), new InMemoryValueStore());
        System.out.println("READY id=" + identity.id().toHex() + " observed=" + reflexive.getAddress().getHostAddress()
                + ":" + reflexive.getPort());
        System.out.flush();
        if (rest.size() == 4 && rest.get(0).equals("contact")) {
            // only B's public address, as a plain DHT bootstrap contact: no explicit connect
            String[] hp = rest.get(1).split(":");
            InetSocketAddress boot = new InetSocketAddress(InetAddress.getByName(hp[0]), Integer.parseInt(hp[1]));
            String name = rest.get(2);
            String line;
            try {
                long t0 = System.nanoTime();
                dht.start(List.of(boot));
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (dht.routingTable().size() == 0 && System.nanoTime() < until) {
                    Thread.sleep(20); // a lab process polling its own state, not a test waiting for an event
                }
                long joinMs = (System.nanoTime() - t0) / 1_000_000;
                long now = System.currentTimeMillis() / 1000;
                SignedRecord rec = SignedRecord.sign(name, OwnerKey.fromSeed(s), 1, now, now + 3600, 300, 0,
                        List.of(new org.xbill.DNS.ARecord(org.xbill.DNS.Name.fromString(name + "."),
                                org.xbill.DNS.DClass.IN, 300, InetAddress.getByName(rest.get(3)))));
                PutResult put = dht.put(rec.dhtKey(), rec.encoded()).get(20, TimeUnit.SECONDS);
                NodeId peer = nat.transport().peerAt(boot);
                PeerPath path = peer == null ? null : nat.path(peer);
                line = String.format("RESULT kind=%s joinMs=%d table=%d acks=%d autoConnects=%d",
                        path == null ? "NONE" : path.kind(), joinMs, dht.routingTable().size(), put.acks(),
                        nat.autoConnects());
            } catch (Exception e) {
                line = "RESULT kind=FAILED error=" + e.toString().replace(' ', '_');
            }
            System.out.println(line);
            System.out.flush();
        } else if (rest.size() == 4 && rest.get(0).equals("initiator")) {
            NodeId peer = NodeId.fromHex(rest.get(1));
            String name = rest.get(2);
            String line;
            try {
                PeerPath path = nat.connect(new ConnectTarget(peer, List.of())).get(20, TimeUnit.SECONDS);
                dht.start(List.of(path.address()));
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (dht.routingTable().size() == 0 && System.nanoTime() < until) {
                    Thread.sleep(20); // a lab process polling its own state, not a test waiting for an event
                }
                long now = System.currentTimeMillis() / 1000; // records carry epoch seconds
                SignedRecord rec = SignedRecord.sign(name, OwnerKey.fromSeed(s), 1, now, now + 3600, 300, 0,
                        List.of(new org.xbill.DNS.ARecord(org.xbill.DNS.Name.fromString(name + "."),
                                org.xbill.DNS.DClass.IN, 300, InetAddress.getByName(rest.get(3)))));
                PutResult put = dht.put(rec.dhtKey(), rec.encoded()).get(20, TimeUnit.SECONDS);
                line = String.format("RESULT kind=%s setupMs=%d address=%s table=%d acks=%d outcomes=%s", path.kind(),
                        path.setupTime().toMillis(), path.address().getAddress().getHostAddress(),
                        dht.routingTable().size(), put.acks(), put.outcomes().toString().replace(" ", ""));
            } catch (Exception e) {
                line = "RESULT kind=FAILED error=" + e.toString().replace(' ', '_');
            }
            System.out.println(line);
            System.out.flush();
        } else {
            dht.start(List.of());
        }
        // serve (and answer "resolve NAME") until stdin closes
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String cmd;
        while ((cmd = in.readLine()) != null) {
            if (cmd.startsWith("resolve ")) {
                String name = cmd.substring(8).trim();
                String out;
                try {
                    GetResult g = dht.get(OverlayName.dhtKey(name), v -> { }).get(20, TimeUnit.SECONDS);
                    String a = "-";
                    if (g.status() == GetResult.Status.FOUND) {
                        SignedRecord r = RecordCodec.decode(g.value());
                        StringBuilder sb = new StringBuilder();
                        for (org.xbill.DNS.Record rr : r.records()) {
                            sb.append(sb.length() == 0 ? "" : ",").append(org.xbill.DNS.Type.string(rr.getType()))
                                    .append(':').append(rr.rdataToString());
                        }
                        a = sb.toString();
                    }
                    out = "RESOLVED status=" + g.status() + " records=" + a + " table=" + dht.routingTable().size();
                } catch (Exception e) {
                    out = "RESOLVED status=ERROR error=" + e.toString().replace(' ', '_');
                }
                System.out.println(out);
                System.out.flush();
            }
        }
        dht.stop();
        nat.close();
        secure.close();
        udp.close();
        scheduler.close();
        System.out.println("BYE");
        System.exit(0);
    }
}
