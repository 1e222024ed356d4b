package org.p2pdns.intro;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an introduction server on its own: {@code java -cp ... org.p2pdns.intro.IntroServerMain [--bind IP]
 * [--port N] [--stun-port N|-1] [--ttl SECONDS] [--no-relay] [--stats SECONDS]}. Prints the bound addresses, then
 * counters every {@code --stats} seconds, until killed.
 */
public final class IntroServerMain {
    private IntroServerMain() {
    }

    public static void main(String[] args) throws Exception {
        org.p2pdns.node.util.NettyLeakDetection.configure();
        IntroServerConfig c;
        int stats;
        try {
            c = IntroServerConfig.defaults();
            String bind = "0.0.0.0";
            int port = c.bind().getPort();
            int stun = c.stunPort();
            Duration ttl = c.registrationTtl();
            boolean relay = true;
            int max = c.maxRegistrations();
            int perIp = c.maxRegistrationsPerIp();
            double rate = c.requestsPerSecondPerIp();
            int burst = c.burstPerIp();
            int idBits = c.idDifficultyBits();
            stats = 0;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--bind" -> bind = value(args, ++i, a);
                    case "--port" -> port = Integer.parseInt(value(args, ++i, a));
                    case "--stun-port" -> stun = Integer.parseInt(value(args, ++i, a));
                    case "--ttl" -> ttl = Duration.ofSeconds(Long.parseLong(value(args, ++i, a)));
                    case "--no-relay" -> relay = false;
                    case "--stats" -> stats = Integer.parseInt(value(args, ++i, a));
                    case "--max-registrations" -> max = Integer.parseInt(value(args, ++i, a));
                    case "--max-per-ip" -> perIp = Integer.parseInt(value(args, ++i, a));
                    case "--rate" -> rate = Double.parseDouble(value(args, ++i, a));
                    case "--burst" -> burst = Integer.parseInt(value(args, ++i, a));
                    case "--id-difficulty" -> idBits = Integer.parseInt(value(args, ++i, a));
                    case "-h", "--help" -> {
                        System.out.println("usage: IntroServerMain [--bind IP] [--port N] [--stun-port N|-1] "
                                + "[--ttl SECONDS] [--no-relay] [--stats SECONDS] [--max-registrations N] "
                                + "[--max-per-ip N] [--rate PER_SECOND_PER_IP] [--burst N] [--id-difficulty BITS]");
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            c = c.withBind(new InetSocketAddress(InetAddress.getByName(bind), port), stun)
                    .withRegistrations(ttl, max, perIp)
                    .withRateLimit(rate, burst, c.maxTrackedIps())
                    .withIdDifficulty(idBits)
                    .withRelay(relay, c.relayBytesPerSession(), c.relaySessionTime(), c.relayBytesPerIpPerMinute(),
                            c.maxRelaySessions());
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            System.err.println("intro-server: " + e.getMessage());
            System.exit(2);
            return;
        }
        IntroServer server = IntroServer.start(c);
        System.out.println("intro-server listening on udp " + hostPort(server.address())
                + (server.stunAddress() == null ? "" : ", stun on udp " + hostPort(server.stunAddress())));
        System.out.flush();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            done.countDown();
        }));
        while (!done.await(stats > 0 ? stats : 3600, java.util.concurrent.TimeUnit.SECONDS)) {
            if (stats > 0) {
                Runtime rt = Runtime.getRuntime();
                System.out.println("stats registrations=" + server.registrations() + " heapUsedMB="
                        + (rt.totalMemory() - rt.freeMemory()) / (1 << 20) + " " + server.counters());
                System.out.flush();
            }
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static String value(String[] args, int i, String opt) {
        if (i >= args.length) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return args[i];
    }
}
