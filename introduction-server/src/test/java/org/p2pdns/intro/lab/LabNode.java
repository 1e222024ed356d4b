package org.p2pdns.intro.lab;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.NettyUdpEndpoint;
import org.p2pdns.node.nat.ConnectTarget;
import org.p2pdns.node.nat.NatConfig;
import org.p2pdns.node.nat.NatMapping;
import org.p2pdns.node.nat.NatTraversal;
import org.p2pdns.node.nat.PeerPath;

/**
 * A node process for the NAT lab: binds 0.0.0.0, registers with the introduction server, classifies its NAT, and
 * either answers pings (responder) or connects to a peer through the connectivity chain and pings it (initiator).
 * Prints one {@code READY ...} line, then (initiator) one {@code RESULT ...} line; exits when done or after 30 s.
 *
 * <pre>LabNode --seed N --intro IP:PORT [--stun IP:PORT,...] [--upnp] responder
 * LabNode --seed N --intro IP:PORT [--stun IP:PORT,...] [--direct IP:PORT] [--keepalive-ms N] [--pause-ms N]
 *     [--refresh-ms N] initiator PEER_ID_HEX   (responder: [--upnp-lease-s N])</pre>
 */
public final class LabNode {
    private LabNode() {
    }

    private static InetSocketAddress parse(String s) throws Exception {
        int i = s.lastIndexOf(':');
        return new InetSocketAddress(InetAddress.getByName(s.substring(0, i)), Integer.parseInt(s.substring(i + 1)));
    }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        int seed = 1;
        InetSocketAddress intro = null;
        List<InetSocketAddress> stun = new ArrayList<>();
        boolean upnp = false;
        long keepaliveMs = 15_000;
        long pauseMs = 0;
        long refreshMs = 20_000;
        long upnpLeaseS = 3600;
        List<InetSocketAddress> direct = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Integer.parseInt(args[++i]);
                case "--intro" -> intro = parse(args[++i]);
                case "--stun" -> {
                    for (String s : args[++i].split(",")) {
                        stun.add(parse(s));
                    }
                }
                case "--upnp" -> upnp = true;
                case "--direct" -> direct.add(parse(args[++i]));
                case "--keepalive-ms" -> keepaliveMs = Long.parseLong(args[++i]);
                case "--pause-ms" -> pauseMs = Long.parseLong(args[++i]);
                case "--refresh-ms" -> refreshMs = Long.parseLong(args[++i]);
                case "--upnp-lease-s" -> upnpLeaseS = Long.parseLong(args[++i]);
                default -> rest.add(args[i]);
            }
        }
        byte[] s = new byte[32];
        new Random(seed).nextBytes(s);
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(s);
        NodeId self = NodeId.ofPublicKey(key.generatePublicKey().getEncoded());
        NettyUdpEndpoint socket = NettyUdpEndpoint.bind(new InetSocketAddress("0.0.0.0", 0), Clock.systemUTC(), 1300);
        NatConfig base = NatConfig.of(List.of(intro));
        NatConfig cfg = base.withStunServers(stun).withUpnp(upnp)
                .withUpnpLease(java.time.Duration.ofSeconds(upnpLeaseS))
                .withKeepalive(java.time.Duration.ofMillis(keepaliveMs))
                .withIntro(new org.p2pdns.node.nat.IntroClientConfig(base.intro().servers(),
                        java.time.Duration.ofMillis(refreshMs), base.intro().requestTimeout(),
                        base.intro().attempts(), base.intro().wantPeers(), base.intro().maxGuests(),
                        base.intro().guestIdle()));
        NatTraversal nat = new NatTraversal(cfg, key, socket.scheduler(), socket, new Random(seed * 31L));
        boolean initiator = rest.size() == 2 && rest.get(0).equals("initiator");
        ConcurrentHashMap<Integer, Long> pongs = new ConcurrentHashMap<>();
        nat.transport().setReceiver((from, p) -> {
            String msg = new String(p, 1, p.length - 1, StandardCharsets.UTF_8);
            if (msg.startsWith("ping ")) {
                nat.transport().send(from, ("\u0053pong " + msg.substring(5)).getBytes(StandardCharsets.UTF_8));
            } else if (msg.startsWith("pong ")) {
                pongs.putIfAbsent(Integer.parseInt(msg.substring(5).trim()), System.nanoTime());
            }
        });
        socket.scheduler().execute(nat::start);
        nat.introClient().firstRegistration().get(15, TimeUnit.SECONDS);
        if (upnp) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (nat.upnpMapping() == null && System.nanoTime() < until) {
                Thread.sleep(50); // a lab process polling its own status line, not a test waiting for an event
            }
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        while (nat.mapping() == NatMapping.UNKNOWN && !stun.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        System.out.printf("READY id=%s observed=%s mapping=%s upnp=%s startMs=%d%n", self.toHex(),
                hostPort(nat.reflexive()), nat.mapping(), hostPort(nat.upnpMapping()),
                (System.nanoTime() - t0) / 1_000_000);
        System.out.flush();
        int exit = 0;
        if (initiator) {
            NodeId peer = NodeId.fromHex(rest.get(1));
            String result;
            try {
                PeerPath path = nat.connect(new ConnectTarget(peer, direct)).get(20, TimeUnit.SECONDS);
                if (pauseMs > 0) {
                    Thread.sleep(pauseMs); // the lab's NAT mappings must survive this idle time (keepalive test)
                }
                long sent = System.nanoTime();
                for (int i = 0; i < 5; i++) {
                    int n = i;
                    byte[] ping = ("\u0053ping " + n).getBytes(StandardCharsets.UTF_8);
                    for (int r = 0; r < 10 && !pongs.containsKey(n); r++) {
                        socket.scheduler().execute(() -> nat.transport().send(path.address(), ping));
                        Thread.sleep(100);
                    }
                }
                result = String.format("RESULT kind=%s setupMs=%d pongs=%d rttMs=%d address=%s", path.kind(),
                        path.setupTime().toMillis(), pongs.size(),
                        pongs.isEmpty() ? -1 : (pongs.values().stream().min(Long::compare).get() - sent) / 1_000_000,
                        hostPort(path.address()));
                exit = pongs.size() == 5 ? 0 : 3;
            } catch (Exception e) {
                result = "RESULT kind=FAILED error=" + e.toString().replace(' ', '_');
                exit = 4;
            }
            System.out.println(result);
            System.out.flush();
        } else {
            if (upnp) { // report lease renewals as they happen (the process watching its own state)
                Thread watcher = new Thread(() -> {
                    int seen = 0;
                    while (true) {
                        int n = nat.upnpRenewals();
                        if (n != seen) {
                            seen = n;
                            System.out.println("RENEWED count=" + n);
                            System.out.flush();
                        }
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                watcher.setDaemon(true);
                watcher.start();
            }
            // responder: serve until the test closes our stdin (or 30 s)
            CountDownLatch stdin = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // drain
                    }
                } catch (java.io.IOException ignored) {
                    // closed
                }
                stdin.countDown();
            });
            t.setDaemon(true);
            t.start();
            stdin.await(30, TimeUnit.SECONDS);
        }
        CompletableFuture.runAsync(nat::close).get(10, TimeUnit.SECONDS);
        socket.close();
        System.out.println("BYE upnpRemoved=" + (nat.upnpMapping() == null ? "n/a" : "yes"));
        System.out.flush();
        System.exit(exit);
    }

    private static String hostPort(InetSocketAddress a) {
        return a == null ? "-" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
