package org.p2pdns.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import org.p2pdns.dns.testing.FakeResolver;
import org.p2pdns.dns.testing.TestZone;

/**
 * A bridge in its own process for the system-resolver test: serves one published name
 * ({@code args: bindIp port registeredName ipv4}), prints "READY" and runs until stdin closes or it is killed.
 */
public final class NetnsBridgeMain {

    private NetnsBridgeMain() {
    }

    public static void main(String[] args) throws Exception {
        FakeResolver resolver = new FakeResolver(Clock.systemUTC());
        resolver.publish(args[2], 300, 86400, TestZone.rr(args[2] + ". A " + args[3]));
        BridgeConfig cfg = BridgeConfig.defaults()
                .withBindAddress(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])))
                .withForwarding(false, List.of());
        try (DnsBridge bridge = DnsBridge.start(cfg, resolver)) {
            System.out.println("READY " + bridge.udpAddress());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our stdin (or kill us)
            }
        }
    }
}
