package org.p2pdns.node.nat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.p2pdns.node.intro.PeerInfo;

/** The endpoints a node advertises as local (to its introduction server, hence to peers punching towards it). */
final class LocalEndpoints {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalEndpoints.class);

    private LocalEndpoints() {
    }

    /** A UPnP mapping first (if any), then the bound address, or every interface's IPv4 address when bound to any. */
    static List<InetSocketAddress> of(InetSocketAddress bound, InetSocketAddress upnpMapping) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (upnpMapping != null) {
            out.add(upnpMapping);
        }
        if (bound.getAddress().isAnyLocalAddress()) {
            for (InetAddress a : interfaceAddresses()) {
                out.add(new InetSocketAddress(a, bound.getPort()));
            }
        } else {
            out.add(bound);
        }
        return out.size() > PeerInfo.MAX_LOCALS ? out.subList(0, PeerInfo.MAX_LOCALS) : out;
    }

    private static List<InetAddress> interfaceAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!n.isUp() || n.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(n.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address) { // link-local v6 needs scopes peers cannot use
                        out.add(a);
                    }
                }
            }
        } catch (SocketException e) {
            LOG.debug("cannot list interfaces: {}", e.toString());
        }
        return out;
    }
}
