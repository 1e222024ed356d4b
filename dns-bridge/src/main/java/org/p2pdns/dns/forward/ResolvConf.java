package org.p2pdns.dns.forward;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the system's resolvers ({@code nameserver} lines) from a resolv.conf file. */
public final class ResolvConf {

    private ResolvConf() {
    }

    /**
     * The nameservers listed in {@code file}, on port 53, leaving out {@code self} (the bridge's own address) so the
     * bridge never forwards to itself. A missing or unreadable file gives an empty list.
     */
    public static List<InetSocketAddress> nameservers(Path file, InetSocketAddress self) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 2 || !f[0].equals("nameserver")) {
                continue;
            }
            String ip = f[1];
            int pct = ip.indexOf('%');
            if (pct > 0) {
                ip = ip.substring(0, pct);
            }
            if (!ip.matches("[0-9a-fA-F:.]+")) {
                continue;
            }
            try {
                InetSocketAddress a = new InetSocketAddress(InetAddress.getByName(ip), 53);
                if (!isSelf(a, self) && !out.contains(a)) {
                    out.add(a);
                }
            } catch (UnknownHostException e) {
                // an unparsable literal: skip the line
            }
        }
        return List.copyOf(out);
    }

    static boolean isSelf(InetSocketAddress upstream, InetSocketAddress self) {
        if (upstream.getPort() != self.getPort()) {
            return false;
        }
        InetAddress bound = self.getAddress();
        if (bound.isAnyLocalAddress()) {
            return upstream.getAddress().isLoopbackAddress() || isLocal(upstream.getAddress());
        }
        return bound.equals(upstream.getAddress());
    }

    private static boolean isLocal(InetAddress a) {
        try {
            return java.net.NetworkInterface.getByInetAddress(a) != null;
        } catch (java.net.SocketException e) {
            return false;
        }
    }
}
