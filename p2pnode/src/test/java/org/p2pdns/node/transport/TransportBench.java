package org.p2pdns.node.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.time.EventLoopScheduler;

/**
 * Loopback benchmark of the secure transport (run by scripts/bench-transport.sh; not a unit test): IK handshakes per
 * second (each a request riding on the handshake and its reply riding on the response) and request/response messages
 * per second on established sessions, with round-trip latency percentiles. Bounded in count and time.
 */
public final class TransportBench {

    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private TransportBench() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int window = 64;
        TransportConfig cfg = TransportConfig.forNetwork(NetworkParams.TEST).withHandshakeRate(1e6, 1_000_000)
                .withLimits(100_000, 100_000, 1024);
        EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try (EventLoopScheduler serverLoop = new EventLoopScheduler("server");
             EventLoopScheduler clientLoop = new EventLoopScheduler("clients")) {
            TransportStats serverStats = new TransportStats();
            UdpTransport serverUdp = UdpTransport.bind(ANY, serverLoop, serverStats, io);
            NodeIdentity serverId = NodeIdentity.generate(new SecureRandom());
            SecureTransport server = new SecureTransport(serverId, serverUdp, serverLoop, new Random(1), cfg,
                    serverStats);
            serverUdp.setReceiver(server);
            server.setHandler((from, msg) -> server.send(from, msg));   // echo
            Contact serverContact = serverId.contact(serverUdp.localAddress());

            List<SecureTransport> cs = new ArrayList<>();
            List<UdpTransport> udps = new ArrayList<>();
            CountDownLatch[] latch = new CountDownLatch[1];
            long[][] rtt = new long[1][];
            AtomicLong done = new AtomicLong();
            for (int i = 0; i < clients; i++) {
                TransportStats st = new TransportStats();
                UdpTransport u = UdpTransport.bind(ANY, clientLoop, st, io);
                SecureTransport c = new SecureTransport(NodeIdentity.generate(new SecureRandom()), u, clientLoop,
                        new Random(i), cfg, st);
                u.setReceiver(c);
                udps.add(u);
                cs.add(c);
            }
            // warm up the JIT and noise-java on a few handshakes
            warm(cs.subList(0, Math.min(20, clients)), serverContact, clientLoop);

            // 1. handshakes: every remaining client sends one request to the server at once
            List<SecureTransport> fresh = cs.subList(Math.min(20, clients), clients);
            latch[0] = new CountDownLatch(fresh.size());
            for (SecureTransport c : fresh) {
                c.setHandler((from, msg) -> latch[0].countDown());
            }
            long t0 = System.nanoTime();
            clientLoop.execute(() -> {
                for (SecureTransport c : fresh) {
                    c.send(serverContact, new byte[64]);
                }
            });
            boolean ok = latch[0].await(60, TimeUnit.SECONDS);
            double hsSecs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("IK handshakes (request on the handshake, reply on the response): %d in %.3f s = %.0f"
                    + " per second%s; server %s%n", fresh.size() - latch[0].getCount(), hsSecs,
                    (fresh.size() - latch[0].getCount()) / hsSecs, ok ? "" : " (TIMED OUT)", serverStats);

            // 2. messages on one established session: `window` requests in flight, echo replies, RTT per request
            SecureTransport c = cs.get(0);
            rtt[0] = new long[messages];
            long[] sentAt = new long[messages];
            CountDownLatch all = new CountDownLatch(messages);
            AtomicLong next = new AtomicLong();
            c.setHandler((from, msg) -> {
                int id = (msg[0] & 0xff) << 24 | (msg[1] & 0xff) << 16 | (msg[2] & 0xff) << 8 | (msg[3] & 0xff);
                rtt[0][id] = System.nanoTime() - sentAt[id];
                done.incrementAndGet();
                all.countDown();
                long n = next.getAndIncrement();
                if (n < messages) {
                    sendNumbered(c, serverContact, (int) n, sentAt);
                }
            });
            long t1 = System.nanoTime();
            clientLoop.execute(() -> {
                for (int i = 0; i < window; i++) {
                    sendNumbered(c, serverContact, (int) next.getAndIncrement(), sentAt);
                }
            });
            boolean ok2 = all.await(120, TimeUnit.SECONDS);
            double secs = (System.nanoTime() - t1) / 1e9;
            long got = messages - all.getCount();
            long[] sorted = Arrays.stream(rtt[0]).filter(x -> x > 0).sorted().toArray();
            System.out.printf("session requests/replies, %d in flight, 100-byte messages: %d round trips in %.2f s"
                    + " = %.0f round trips/s (%.0f messages/s)%s%n", window, got, secs, got / secs, 2 * got / secs,
                    ok2 ? "" : " (TIMED OUT)");
            System.out.printf("round trip under that load: p50 %.3f ms, p99 %.3f ms%n",
                    sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6);

            // 3. unloaded round trip: one request at a time
            int single = 2000;
            long[] one = new long[single];
            for (int i = 0; i < single; i++) {
                CountDownLatch l = new CountDownLatch(1);
                c.setHandler((from, msg) -> l.countDown());
                long s = System.nanoTime();
                c.send(serverContact, new byte[100]);
                l.await(10, TimeUnit.SECONDS);
                one[i] = System.nanoTime() - s;
            }
            Arrays.sort(one);
            System.out.printf("one request at a time: round trip p50 %.3f ms, p99 %.3f ms (%d samples)%n",
                    one[single / 2] / 1e6, one[(int) (single * 0.99)] / 1e6, single);
            for (UdpTransport u : udps) {
                u.close();
            }
            serverUdp.close();
        } finally {
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private static void sendNumbered(SecureTransport c, Contact to, int n, long[] sentAt) {
        byte[] m = new byte[100];
        m[0] = (byte) (n >>> 24);
        m[1] = (byte) (n >>> 16);
        m[2] = (byte) (n >>> 8);
        m[3] = (byte) n;
        sentAt[n] = System.nanoTime();
        c.send(to, m);
    }

    private static void warm(List<SecureTransport> cs, Contact server, EventLoopScheduler loop) throws Exception {
        CountDownLatch l = new CountDownLatch(cs.size() * 50);
        for (SecureTransport c : cs) {
            c.setHandler((from, msg) -> l.countDown());
        }
        loop.execute(() -> {
            for (int i = 0; i < 50; i++) {
                for (SecureTransport c : cs) {
                    c.send(server, new byte[100]);
                }
            }
        });
        l.await(30, TimeUnit.SECONDS);
    }
}
