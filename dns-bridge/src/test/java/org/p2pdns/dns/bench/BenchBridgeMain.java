package org.p2pdns.dns.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import org.p2pdns.dns.BridgeConfig;
import org.p2pdns.dns.DnsBridge;
import org.p2pdns.dns.testing.FakeResolver;
import org.p2pdns.dns.testing.FakeUpstream;
import org.p2pdns.dns.testing.TestZone;
import org.p2pdns.node.util.NettyLeakDetection;
import org.xbill.DNS.Name;

/**
 * The bridge that scripts/bench-dns.sh measures: a synthetic NameResolver holding 1,000 names
 * ({@code name0.p2p} .. {@code name999.p2p}, one A record each, TTL 3600) and a local upstream for 1,000 forwarded
 * names ({@code fwd0.bench.test} ..). Args: {@code port} (0 = any). Prints "READY udp-port upstream-port", runs until
 * stdin closes, then prints the bridge's counters.
 */
public final class BenchBridgeMain {

    private BenchBridgeMain() {
    }

    public static void main(String[] args) throws Exception {
        NettyLeakDetection.configure(); // as the p2p command runs the bridge
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        FakeResolver resolver = new FakeResolver(Clock.systemUTC());
        for (int i = 0; i < 1000; i++) {
            resolver.publish("name" + i + ".p2p", 3600, 7 * 86400,
                    TestZone.rr("name" + i + ".p2p. A 10.0." + (i / 256) + "." + (i % 256), 3600));
        }
        try (FakeUpstream upstream = new FakeUpstream(Name.fromString("bench.test."), 3600)) {
            for (int i = 0; i < 1000; i++) {
                upstream.add(TestZone.rr("fwd" + i + ".bench.test. A 10.1." + (i / 256) + "." + (i % 256), 3600));
            }
            BridgeConfig cfg = BridgeConfig.defaults()
                    .withBindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                    .withForwarding(true, List.of(upstream.address()));
            // -Dbench.readPacingRate=0 measures the bridge without read pacing (on from 30,000 q/s by default)
            cfg = cfg.withReadPacing(Integer.getInteger("bench.readPacingRate", cfg.readPacingRate()),
                    cfg.readPacingWait());
            try (DnsBridge bridge = DnsBridge.start(cfg, resolver)) {
                System.out.println("READY " + bridge.udpAddress().getPort() + " " + upstream.address().getPort()
                        + " rcvbuf=" + bridge.udpReceiveBuffer());
                System.out.flush();
                // -Dbench.sleeperSeconds=N: a thread that sleeps 100 us at a time for the first N seconds, to study the
                // latency episodes at 20,000 q/s that followed read pacing (docs/benchmarks.md)
                long sleeperSeconds = Long.getLong("bench.sleeperSeconds", 0);
                if (sleeperSeconds > 0) {
                    Thread t = new Thread(() -> {
                        long end = System.nanoTime() + sleeperSeconds * 1_000_000_000L;
                        while (System.nanoTime() < end) {
                            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                        }
                    }, "sleeper");
                    t.setDaemon(true);
                    t.start();
                }
                int c;
                while ((c = System.in.read()) >= 0) { // until the script closes our stdin
                    if (c == '\n') { // a line from the script: print the counters so far
                        System.out.println("STATS " + bridge.stats());
                        System.out.flush();
                    }
                }
                System.out.println("STATS " + bridge.stats());
            }
        }
    }
}
