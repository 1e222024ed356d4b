package org.p2pdns.dns;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.p2pdns.dns.cache.CacheHandler;
import org.p2pdns.dns.cache.ResponseCache;
import org.p2pdns.dns.chain.DnsHandler;
import org.p2pdns.dns.chain.Guard;
import org.p2pdns.dns.chain.RateLimiter;
import org.p2pdns.dns.chain.Responses;
import org.p2pdns.dns.chain.ZoneRouter;
import org.p2pdns.dns.forward.Forwarder;
import org.p2pdns.dns.forward.ResolvConf;
import org.p2pdns.dns.overlay.OverlayHandler;
import org.p2pdns.dns.server.Listeners;
import org.p2pdns.dns.server.ServerCore;
import org.p2pdns.node.api.NameResolver;
import org.p2pdns.node.time.EventLoopScheduler;
import org.p2pdns.node.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

/**
 * A running DNS bridge: answers the overlay zone through a {@link NameResolver} and forwards every other name, over
 * UDP and TCP on one address. Start with {@link #start}; {@link #close} stops it.
 *
 * <p>The handler chain is: guard (malformed, opcode, class, EDNS version, rate limit) then cache (fresh answers,
 * coalescing, serve-stale) then zone router, which sends overlay names to the overlay resolver and the rest to the
 * forwarder (or answers REFUSED when forwarding is off).
 */
public final class DnsBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DnsBridge.class);

    private final BridgeConfig config;
    private final EventLoopGroup group;
    private final Listeners listeners;
    private final BridgeStats stats;
    private final ResponseCache cache;
    private final List<InetSocketAddress> upstreams;

    private DnsBridge(BridgeConfig config, EventLoopGroup group, Listeners listeners, BridgeStats stats,
                      ResponseCache cache, List<InetSocketAddress> upstreams) {
        this.config = config;
        this.group = group;
        this.listeners = listeners;
        this.stats = stats;
        this.cache = cache;
        this.upstreams = upstreams;
    }

    /** Starts a bridge on the system clock. */
    public static DnsBridge start(BridgeConfig config, NameResolver resolver) throws IOException {
        return start(config, resolver, Clock.systemUTC());
    }

    /** Starts a bridge whose TTLs, cache and rate limits run on {@code clock}. */
    public static DnsBridge start(BridgeConfig config, NameResolver resolver, Clock clock) throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.ioThreads(), Listeners.ioHandlerFactory());
        try {
            BridgeStats stats = new BridgeStats();
            Responses responses = new Responses(clock, config.udpPayload());
            Name zone = Name.fromString(config.zone());
            Scheduler timers = new EventLoopScheduler(group.next(), clock);
            List<InetSocketAddress> ups = List.of();
            DnsHandler forwarder = null;
            if (config.forwarding()) {
                ups = config.upstreams().isEmpty()
                        ? ResolvConf.nameservers(config.resolvConf(), config.bindAddress()) : config.upstreams();
                if (ups.isEmpty()) {
                    LOG.warn("forwarding is on but no upstream resolver is known (none configured, none usable in {});"
                            + " names outside {} will be REFUSED", config.resolvConf(), config.zone());
                } else {
                    forwarder = new Forwarder(ups, config.upstreamTimeout(), responses, stats);
                }
            }
            DnsHandler overlay = new OverlayHandler(zone, resolver, responses, stats, timers,
                    config.resolveTimeout(), config.negativeTtl(), forwarder);
            ZoneRouter router = new ZoneRouter(zone, overlay, forwarder, responses);
            ResponseCache cache = new ResponseCache(config.cacheEntries(), stats);
            CacheHandler cached = new CacheHandler(cache, router, responses, stats, config.maxCacheTtl(),
                    config.serveStale(), timers);
            RateLimiter limiter = new RateLimiter(clock, config.rateLimitQps(), config.rateLimitBurst(),
                    config.rateLimitLoopback());
            Guard guard = new Guard(responses, limiter, stats);
            ServerCore core = new ServerCore(guard, cached, cache, limiter, responses, stats);
            Listeners listeners = Listeners.bind(group, config.bindAddress(), core, stats, config.udpReceiveBuffer(),
                    config.tcpIdleTimeout(), config.maxTcpConnections(), config.readPacingRate(),
                    config.readPacingWait());
            if (listeners.receiveBuffer() < config.udpReceiveBuffer()) {
                LOG.warn("UDP receive buffer is {} bytes, not the {} requested: raise net.core.rmem_max",
                        listeners.receiveBuffer(), config.udpReceiveBuffer());
            }
            LOG.info("DNS bridge ({}) on udp {} tcp {}, zone {}, upstreams {}", Listeners.transportName(),
                    listeners.udpAddress(),
                    listeners.tcpAddress(), config.zone(), forwarder == null ? "none (REFUSED)" : ups);
            return new DnsBridge(config, group, listeners, stats, cache, forwarder == null ? List.of() : ups);
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException(e);
        }
    }

    public InetSocketAddress udpAddress() {
        return listeners.udpAddress();
    }

    public InetSocketAddress tcpAddress() {
        return listeners.tcpAddress();
    }

    public BridgeStats stats() {
        return stats;
    }

    public BridgeConfig config() {
        return config;
    }

    /** The upstream resolvers in use (empty when forwarding is off or none is known). */
    public List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /** Responses currently cached (fresh or kept for serve-stale). */
    public int cachedResponses() {
        return cache.size();
    }

    /**
     * Drops every cached response, fresh or kept for serve-stale, so that the next query of any name is resolved again
     * (what a benchmark of uncached resolution needs; an operator's flush).
     */
    public void clearCache() {
        cache.clear();
    }

    /** SO_RCVBUF of the UDP socket as granted by the kernel. */
    public int udpReceiveBuffer() {
        return listeners.receiveBuffer();
    }

    @Override
    public void close() {
        listeners.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

}
