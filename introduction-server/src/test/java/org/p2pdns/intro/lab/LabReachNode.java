package org.p2pdns.intro.lab;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.p2pdns.intro.ReachStack;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.PutResult;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.nat.PeerPath;
import org.p2pdns.node.reach.ReachRecord;
import org.p2pdns.node.record.OverlayName;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordCodec;
import org.p2pdns.node.record.SignedRecord;

/**
 * A node for the NAT lab wired as P2PNode does (NAT traversal with reachability lookups, secure transport, DHT with
 * both value policies, reachability publisher), on the test network parameters. {@code public}: a plain DHT node (no
 * NAT layer) that founds the network; {@code node}: registers at its introduction server and joins through a
 * bootstrap node, then answers commands on stdin:
 *
 * <pre>published            wait for its reachability record to reach the DHT: PUBLISHED_REACH ...
 * reach PEER_ID_HEX    look the peer up in the DHT until it was heard from directly: REACHED kind= setupMs= ...
 * publish NAME IPV4    publish NAME with an A record: STORED acks= peers=
 * resolve NAME         RESOLVED status= records=</pre>
 *
 * <pre>LabReachNode --seed N --bind IP:PORT public
 * LabReachNode --seed N --intro IP:PORT --stun IP:PORT,... --boot IP:PORT node</pre>
 */
public final class LabReachNode {
    private LabReachNode() {
    }

    private static InetSocketAddress parse(String v) throws Exception {
        int c = v.lastIndexOf(':');
        return new InetSocketAddress(InetAddress.getByName(v.substring(0, c)), Integer.parseInt(v.substring(c + 1)));
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        int seed = 1;
        InetSocketAddress bind = new InetSocketAddress("0.0.0.0", 0);
        InetSocketAddress intro = null;
        InetSocketAddress boot = null;
        List<InetSocketAddress> stun = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Integer.parseInt(args[++i]);
                case "--bind" -> bind = parse(args[++i]);
                case "--intro" -> intro = parse(args[++i]);
                case "--boot" -> boot = parse(args[++i]);
                case "--stun" -> {
                    for (String s : args[++i].split(",")) {
                        stun.add(parse(s));
                    }
                }
                default -> rest.add(args[i]);
            }
        }
        ReachStack n = new ReachStack(seed, bind, rest.contains("public") ? null : intro, stun);
        n.start(boot == null ? List.of() : List.of(boot));
        String mapping = "-";
        String observed = "-";
        if (n.nat != null) {
            mapping = n.nat.classified().get(10, TimeUnit.SECONDS).toString();
            InetSocketAddress o = n.nat.introClient().registration().observed();
            observed = o.getAddress().getHostAddress() + ":" + o.getPort();
        }
        say("READY id=" + n.id().toHex() + " observed=" + observed + " mapping=" + mapping);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String cmd;
        while ((cmd = in.readLine()) != null) {
            String[] w = cmd.trim().split("\\s+");
            try {
                switch (w[0]) {
                    case "published" -> published(n);
                    case "reach" -> reach(n, NodeId.fromHex(w[1]));
                    case "publish" -> publish(n, w[1], w[2], seed);
                    case "resolve" -> resolve(n, w[1]);
                    default -> say("ERROR unknown command " + w[0]);
                }
            } catch (Exception e) {
                say("ERROR " + w[0] + " " + e.toString().replace(' ', '_'));
            }
        }
        n.close();
        say("BYE");
        System.exit(0);
    }

    private static void published(ReachStack n) throws Exception {
        n.await(() -> n.publisher.published() != null, Duration.ofSeconds(30));
        ReachRecord r = n.onLoop(n.publisher::published);
        say(r == null ? "PUBLISHED_REACH none" : "PUBLISHED_REACH seq=" + r.sequence() + " mapping="
                + r.info().mapping() + " servers=" + r.info().introServers().toString().replace(" ", ""));
    }

    /** Lookups of the peer's id (every 500 ms): its address comes from another node's NODES reply. */
    private static void reach(ReachStack n, NodeId peer) throws Exception {
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(60);
        boolean known = false;
        while (System.nanoTime() < end && !(known = n.onLoop(() -> n.dht.routingTable().contains(peer)))) {
            n.dht.findClosest(peer);
            Thread.sleep(500); // a lab process polling its own state, not a test waiting for an event
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        PeerPath path = n.onLoop(() -> n.nat.path(peer));
        InetSocketAddress server = n.onLoop(() -> n.nat.serverOf(peer));
        say(String.format("REACHED ok=%s setupMs=%d kind=%s chainMs=%d via=%s guests=%s unanswered=%d lookups=%d",
                known, ms, path == null ? "NONE" : path.kind(), path == null ? -1 : path.setupTime().toMillis(),
                server == null ? "-" : server.getAddress().getHostAddress(),
                n.onLoop(() -> n.nat.introClient().guestServers()).toString().replace(" ", ""),
                n.onLoop(n.nat::unansweredHandshakes), n.onLoop(n.nat::reachLookups)));
    }

    private static void publish(ReachStack n, String name, String ip, int seed) throws Exception {
        byte[] s = new byte[32];
        new Random(seed * 7919L).nextBytes(s);
        long now = System.currentTimeMillis() / 1000;
        SignedRecord rec = SignedRecord.sign(name, OwnerKey.fromSeed(s), 1, now, now + 3600, 300, 0,
                List.of(new org.xbill.DNS.ARecord(org.xbill.DNS.Name.fromString(name + "."), org.xbill.DNS.DClass.IN,
                        300, InetAddress.getByName(ip))));
        PutResult put = n.dht.put(rec.dhtKey(), rec.encoded()).get(30, TimeUnit.SECONDS);
        StringBuilder peers = new StringBuilder();
        for (Contact c : put.storedAt()) {
            peers.append(peers.length() == 0 ? "" : ",").append(c.id().toHex(), 0, 8);
        }
        say("STORED acks=" + put.acks() + " peers=" + peers);
    }

    private static void resolve(ReachStack n, String name) throws Exception {
        GetResult g = n.dht.get(OverlayName.dhtKey(name), v -> { }).get(30, TimeUnit.SECONDS);
        String records = "-";
        if (g.status() == GetResult.Status.FOUND) {
            StringBuilder sb = new StringBuilder();
            for (org.xbill.DNS.Record rr : RecordCodec.decode(g.value()).records()) {
                sb.append(sb.length() == 0 ? "" : ",").append(org.xbill.DNS.Type.string(rr.getType())).append(':')
                        .append(rr.rdataToString());
            }
            records = sb.toString();
        }
        say("RESOLVED status=" + g.status() + " records=" + records);
    }
}
