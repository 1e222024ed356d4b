package org.p2pdns.node.util;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * Fixed loopback ports for tests that must name a port before something binds it (a README line, a coturn command
 * line). A port from the kernel's ephemeral range, probed and released, can be handed meanwhile to any socket bound to
 * port 0 (the test's own nodes, dig, dnsjava), so the port is taken below that range when there is room.
 */
public final class TestPorts {

    private TestPorts() {
    }

    /**
     * A port free for both TCP and UDP on 127.0.0.1, below the ephemeral range when there is room, that {@code taken}
     * does not reject.
     */
    public static int freeLoopbackPort(Random random, IntPredicate taken) {
        int low = ephemeralLow();
        for (int i = 0; i < 200; i++) {
            int port;
            if (low > 11_024) {
                port = low - 10_000 + random.nextInt(10_000);
            } else {
                try (ServerSocket t = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = t.getLocalPort();
                } catch (IOException e) {
                    continue;
                }
            }
            if (!taken.test(port) && bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port for TCP and UDP on loopback");
    }

    static boolean bindable(int port) {
        try (ServerSocket t = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
             DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The lowest port the kernel hands out for port 0 (Linux; 32768, its default, elsewhere). */
    public static int ephemeralLow() {
        try {
            // line by line: Files.readString sees a /proc file as empty-sized and returns its first byte only
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0)
                    .trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
