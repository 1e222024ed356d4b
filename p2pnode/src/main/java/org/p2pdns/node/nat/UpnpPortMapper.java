package org.p2pdns.node.nat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bitlet.weupnp.GatewayDevice;
import org.bitlet.weupnp.GatewayDiscover;

/**
 * Opt-in UPnP IGD port mapping of the node's UDP port through weupnp. Discovery (SSDP, ~6 s when no router answers)
 * and every SOAP call run on this mapper's own daemon thread, never on the node's event thread or start-up path. The
 * mapping is requested with a lease, renewed at half the lease, and deleted on {@link #close}.
 */
public final class UpnpPortMapper implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UpnpPortMapper.class);

    private final int internalPort;
    private final Duration lease;
    private final int discoveryTimeoutMillis;
    private final ScheduledExecutorService io;
    private volatile GatewayDevice gateway;
    private volatile InetSocketAddress mapping;
    private volatile int renewals;

    /** Maps UDP {@code internalPort} with {@code lease} (renewed at half); SSDP waits {@code discoveryTimeout}. */
    public UpnpPortMapper(int internalPort, Duration lease, Duration discoveryTimeout) {
        if (internalPort <= 0 || lease.toSeconds() < 2) {
            throw new IllegalArgumentException("need a bound port and a lease of at least 2 s");
        }
        this.internalPort = internalPort;
        this.lease = lease;
        this.discoveryTimeoutMillis = (int) discoveryTimeout.toMillis();
        this.io = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "upnp");
            t.setDaemon(true);
            return t;
        });
    }

    /** Discovers a gateway and maps the port; completes with the external endpoint, or exceptionally. */
    public CompletableFuture<InetSocketAddress> start() {
        CompletableFuture<InetSocketAddress> f = new CompletableFuture<>();
        io.execute(() -> {
            try {
                GatewayDiscover d = new GatewayDiscover();
                d.setTimeout(discoveryTimeoutMillis);
                d.discover();
                GatewayDevice g = d.getValidGateway();
                if (g == null) {
                    throw new java.io.IOException("no UPnP internet gateway answered");
                }
                gateway = g;
                InetAddress external = InetAddress.getByName(g.getExternalIPAddress());
                int port = addMapping(g, internalPort);
                mapping = new InetSocketAddress(external, port);
                long renew = Math.max(1, lease.toSeconds() / 2);
                io.scheduleAtFixedRate(this::renew, renew, renew, TimeUnit.SECONDS);
                LOG.info("UPnP: mapped udp {} -> {}:{}", mapping, g.getLocalAddress().getHostAddress(), internalPort);
                f.complete(mapping);
            } catch (Exception e) {
                LOG.info("UPnP mapping failed: {}", e.toString());
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** Tries the internal port as external port first, then a few above it. */
    private int addMapping(GatewayDevice g, int preferred) throws Exception {
        for (int i = 0; i < 8; i++) {
            int ext = preferred + i;
            if (ext > 65535) {
                break;
            }
            if (add(g, ext)) {
                return ext;
            }
        }
        throw new java.io.IOException("the gateway refused every external port near " + preferred);
    }

    /** AddPortMapping with a lease (weupnp's own addPortMapping always asks for a permanent one). */
    private boolean add(GatewayDevice g, int ext) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("NewRemoteHost", "");
        args.put("NewExternalPort", Integer.toString(ext));
        args.put("NewProtocol", "UDP");
        args.put("NewInternalPort", Integer.toString(internalPort));
        args.put("NewInternalClient", g.getLocalAddress().getHostAddress());
        args.put("NewEnabled", "1");
        args.put("NewPortMappingDescription", "p2pdns node");
        args.put("NewLeaseDuration", Long.toString(lease.toSeconds()));
        Map<String, String> r = GatewayDevice.simpleUPnPcommand(g.getControlURL(), g.getServiceType(),
                "AddPortMapping", args);
        return r.get("errorCode") == null;
    }

    private void renew() {
        GatewayDevice g = gateway;
        InetSocketAddress m = mapping;
        if (g == null || m == null) {
            return;
        }
        try {
            if (add(g, m.getPort())) {
                renewals++;
            } else {
                LOG.warn("UPnP lease renewal refused for {}", m);
            }
        } catch (Exception e) {
            LOG.warn("UPnP lease renewal failed: {}", e.toString());
        }
    }

    /** The external endpoint, or null before (or without) a mapping. */
    public InetSocketAddress mapping() {
        return mapping;
    }

    public int renewals() {
        return renewals;
    }

    /** Deletes the mapping (waits up to 5 s) and stops the thread. */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            io.execute(() -> {
                try {
                    GatewayDevice g = gateway;
                    InetSocketAddress m = mapping;
                    if (g != null && m != null) {
                        g.deletePortMapping(m.getPort(), "UDP");
                        LOG.info("UPnP: removed mapping {}", m);
                    }
                } catch (Exception e) {
                    LOG.warn("UPnP: could not remove the mapping: {}", e.toString());
                } finally {
                    mapping = null;
                    done.complete(null);
                }
            });
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("UPnP: close: {}", e.toString());
        } finally {
            io.shutdownNow();
        }
    }
}
