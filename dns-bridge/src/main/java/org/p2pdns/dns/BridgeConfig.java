package org.p2pdns.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Immutable, self-validating configuration of a {@link DnsBridge}. Every default is stated on {@link #defaults()}.
 *
 * @param bindAddress          where UDP and TCP listen; default {@code 127.0.0.1:5354} (loopback, not mDNS's 5353)
 * @param zone                 the overlay zone answered from the DHT, absolute and lower case; default {@code p2p.}
 * @param forwarding           whether names outside the zone are forwarded; when false they get REFUSED
 * @param upstreams            resolvers for names outside the zone; empty = the system's (see {@link #resolvConf})
 * @param resolvConf           where the system's resolvers are read from when {@code upstreams} is empty
 * @param upstreamTimeout      per-upstream attempt timeout; default 2 s
 * @param resolveTimeout       longest wait for an overlay resolution before SERVFAIL (EDE 22); default 5 s
 * @param negativeTtl          SOA minimum of the overlay zone: how long NXDOMAIN/NODATA may be cached; default 60 s
 * @param cacheEntries         most responses the cache holds (least recently used are evicted); default 100,000
 * @param maxCacheTtl          longest time any response is cached; default 1 day
 * @param serveStale           how long an expired answer may still be served while refreshes fail; default 1 day
 *                             (RFC 8767); zero disables serve-stale
 * @param udpPayload           the bridge's own EDNS0 UDP payload size; default 1232 (DNS flag day 2020)
 * @param udpReceiveBuffer     requested SO_RCVBUF of the UDP socket; default 4 MiB (the kernel caps it at
 *                             {@code net.core.rmem_max})
 * @param tcpIdleTimeout       a TCP connection with nothing to read is closed after this; default 10 s
 * @param maxTcpConnections    connections beyond this are closed at once; default 512
 * @param rateLimitQps         UDP queries per second allowed per client address; 0 disables; default 1,000
 * @param rateLimitBurst       token bucket depth for the rate limit; default 2,000
 * @param rateLimitLoopback    whether loopback clients are rate limited too; default false (the default bind address
 *                             is loopback, where every client is local and the system resolver aggregates them all)
 * @param ioThreads            Netty event loop threads; default 1
 * @param readPacingRate       UDP queries per second at or above which the listener paces its reads (stops reading
 *                             for {@code readPacingWait} after each read batch, to wake up less often); 0 disables;
 *                             default 30,000 (well above what one machine's programs ask; see docs/benchmarks.md)
 * @param readPacingWait       how long reading stops after each batch while paced; default 100 us, at most 10 ms;
 *                             zero also turns pacing off
 */
public record BridgeConfig(InetSocketAddress bindAddress, String zone, boolean forwarding,
                           List<InetSocketAddress> upstreams, Path resolvConf, Duration upstreamTimeout,
                           Duration resolveTimeout, Duration negativeTtl, int cacheEntries, Duration maxCacheTtl,
                           Duration serveStale, int udpPayload, int udpReceiveBuffer, Duration tcpIdleTimeout,
                           int maxTcpConnections, int rateLimitQps, int rateLimitBurst, boolean rateLimitLoopback,
                           int ioThreads, int readPacingRate, Duration readPacingWait) {

    /** The default port: not 53 (needs privileges, usually taken) and not mDNS's 5353. */
    public static final int DEFAULT_PORT = 5354;

    /** Longest pause of read pacing: a pause is added to the latency of every query read after it. */
    public static final Duration MAX_PACING_WAIT = Duration.ofMillis(10);

    public BridgeConfig {
        if (bindAddress == null || bindAddress.isUnresolved()) {
            throw new IllegalArgumentException("bindAddress must be a resolved address, got " + bindAddress);
        }
        zone = normalizeZone(zone);
        upstreams = List.copyOf(upstreams == null ? List.of() : upstreams);
        for (InetSocketAddress u : upstreams) {
            if (u.isUnresolved() || u.getPort() == 0) {
                throw new IllegalArgumentException("upstream must be a resolved address with a port, got " + u);
            }
        }
        if (resolvConf == null) {
            throw new IllegalArgumentException("resolvConf must not be null");
        }
        positive("upstreamTimeout", upstreamTimeout);
        positive("resolveTimeout", resolveTimeout);
        positive("negativeTtl", negativeTtl);
        positive("maxCacheTtl", maxCacheTtl);
        positive("tcpIdleTimeout", tcpIdleTimeout);
        if (serveStale == null || serveStale.isNegative()) {
            throw new IllegalArgumentException("serveStale must be zero or positive, got " + serveStale);
        }
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("cacheEntries must be >= 0, got " + cacheEntries);
        }
        if (udpPayload < 512 || udpPayload > 65535) {
            throw new IllegalArgumentException("udpPayload must be in 512..65535, got " + udpPayload);
        }
        if (udpReceiveBuffer < 65536) {
            throw new IllegalArgumentException("udpReceiveBuffer must be >= 64 KiB, got " + udpReceiveBuffer);
        }
        if (maxTcpConnections < 1) {
            throw new IllegalArgumentException("maxTcpConnections must be >= 1, got " + maxTcpConnections);
        }
        if (rateLimitQps < 0 || rateLimitBurst < 0 || (rateLimitQps > 0 && rateLimitBurst < 1)) {
            throw new IllegalArgumentException("rate limit must be >= 0 with a burst >= 1 when on");
        }
        if (ioThreads < 1 || ioThreads > 64) {
            throw new IllegalArgumentException("ioThreads must be in 1..64, got " + ioThreads);
        }
        if (readPacingRate < 0) {
            throw new IllegalArgumentException("readPacingRate must be >= 0, got " + readPacingRate);
        }
        if (readPacingWait == null || readPacingWait.isNegative() || readPacingWait.compareTo(MAX_PACING_WAIT) > 0) {
            throw new IllegalArgumentException("readPacingWait must be in 0.." + MAX_PACING_WAIT.toNanos() / 1000
                    + " us, got " + readPacingWait);
        }
    }

    /** The defaults listed on this record. */
    public static BridgeConfig defaults() {
        return new BridgeConfig(new InetSocketAddress(loopback(), DEFAULT_PORT), "p2p.", true, List.of(),
                Path.of("/etc/resolv.conf"), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(60),
                100_000, Duration.ofDays(1), Duration.ofDays(1), 1232, 4 << 20, Duration.ofSeconds(10), 512,
                1000, 2000, false, 1, 30_000, Duration.ofNanos(100_000));
    }

    public BridgeConfig withBindAddress(InetSocketAddress a) {
        return new BridgeConfig(a, zone, forwarding, upstreams, resolvConf, upstreamTimeout, resolveTimeout,
                negativeTtl, cacheEntries, maxCacheTtl, serveStale, udpPayload, udpReceiveBuffer, tcpIdleTimeout,
                maxTcpConnections, rateLimitQps, rateLimitBurst, rateLimitLoopback, ioThreads,
                readPacingRate, readPacingWait);
    }

    public BridgeConfig withZone(String z) {
        return new BridgeConfig(bindAddress, z, forwarding, upstreams, resolvConf, upstreamTimeout, resolveTimeout,
                negativeTtl, cacheEntries, maxCacheTtl, serveStale, udpPayload, udpReceiveBuffer, tcpIdleTimeout,
                maxTcpConnections, rateLimitQps, rateLimitBurst, rateLimitLoopback, ioThreads,
                readPacingRate, readPacingWait);
    }

    public BridgeConfig withForwarding(boolean on, List<InetSocketAddress> ups) {
        return new BridgeConfig(bindAddress, zone, on, ups, resolvConf, upstreamTimeout, resolveTimeout,
                negativeTtl, cacheEntries, maxCacheTtl, serveStale, udpPayload, udpReceiveBuffer, tcpIdleTimeout,
                maxTcpConnections, rateLimitQps, rateLimitBurst, rateLimitLoopback, ioThreads,
                readPacingRate, readPacingWait);
    }

    public BridgeConfig withResolvConf(Path p) {
        return new BridgeConfig(bindAddress, zone, forwarding, upstreams, p, upstreamTimeout, resolveTimeout,
                negativeTtl, cacheEntries, maxCacheTtl, serveStale, udpPayload, udpReceiveBuffer, tcpIdleTimeout,
                maxTcpConnections, rateLimitQps, rateLimitBurst, rateLimitLoopback, ioThreads,
                readPacingRate, readPacingWait);
    }

    public BridgeConfig withTimeouts(Duration upstream, Duration resolve) {
        return new BridgeConfig(bindAddress, zone, forwarding, upstreams, resolvConf, upstream, resolve,
                negativeTtl, cacheEntries, maxCacheTtl, serveStale, udpPayload, udpReceiveBuffer, tcpIdleTimeout,
                maxTcpConnections, rateLimitQps, rateLimitBurst, rateLimitLoopback, ioThreads,
                readPacingRate, readPacingWait);
    }

    public BridgeConfig withCache(int entries, Duration maxTtl, Duration stale, Duration negative) {
        return new BridgeConfig(bindAddress, zone, forwarding, upstreams, resolvConf, upstreamTimeout,
                resolveTimeout, negative, entries, maxTtl, stale, udpPayload, udpReceiveBuffer, tcpIdleTimeout,
                maxTcpConnections, rateLimitQps, rateLimitBurst, rateLimitLoopback, ioThreads,
                readPacingRate, readPacingWait);
    }

    public BridgeConfig withTcp(Duration idle, int maxConnections) {
        return new BridgeConfig(bindAddress, zone, forwarding, upstreams, resolvConf, upstreamTimeout,
                resolveTimeout, negativeTtl, cacheEntries, maxCacheTtl, serveStale, udpPayload, udpReceiveBuffer,
                idle, maxConnections, rateLimitQps, rateLimitBurst, rateLimitLoopback, ioThreads,
                readPacingRate, readPacingWait);
    }

    public BridgeConfig withRateLimit(int qps, int burst, boolean loopbackToo) {
        return new BridgeConfig(bindAddress, zone, forwarding, upstreams, resolvConf, upstreamTimeout,
                resolveTimeout, negativeTtl, cacheEntries, maxCacheTtl, serveStale, udpPayload, udpReceiveBuffer,
                tcpIdleTimeout, maxTcpConnections, qps, burst, loopbackToo, ioThreads,
                readPacingRate, readPacingWait);
    }

    public BridgeConfig withIoThreads(int threads) {
        return new BridgeConfig(bindAddress, zone, forwarding, upstreams, resolvConf, upstreamTimeout,
                resolveTimeout, negativeTtl, cacheEntries, maxCacheTtl, serveStale, udpPayload, udpReceiveBuffer,
                tcpIdleTimeout, maxTcpConnections, rateLimitQps, rateLimitBurst, rateLimitLoopback, threads,
                readPacingRate, readPacingWait);
    }

    /** Read pacing of the UDP listener: {@code rate} 0 turns it off. */
    public BridgeConfig withReadPacing(int rate, Duration wait) {
        return new BridgeConfig(bindAddress, zone, forwarding, upstreams, resolvConf, upstreamTimeout,
                resolveTimeout, negativeTtl, cacheEntries, maxCacheTtl, serveStale, udpPayload, udpReceiveBuffer,
                tcpIdleTimeout, maxTcpConnections, rateLimitQps, rateLimitBurst, rateLimitLoopback, ioThreads,
                rate, wait);
    }

    private static String normalizeZone(String z) {
        if (z == null || z.isBlank()) {
            throw new IllegalArgumentException("zone must not be empty");
        }
        String s = z.toLowerCase(Locale.ROOT);
        if (!s.endsWith(".")) {
            s = s + ".";
        }
        if (s.equals(".") || !s.matches("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+")) {
            throw new IllegalArgumentException("zone must be a DNS name below the root, got " + z);
        }
        return s;
    }

    private static void positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
