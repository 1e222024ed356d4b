package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * NAT traversal settings of a node; immutable, self-checking. {@link #of} gives the defaults.
 *
 * @param intro             introduction servers and registration timing
 * @param stunServers       STUN servers for reflexive-address discovery and mapping classification (default: port
 *                          3478 on each introduction server's host)
 * @param directTimeout     how long the direct strategy waits for an answer (default 500 ms)
 * @param punchTimeout      how long the chain's hole punch keeps probing before it falls through to the relay
 *                          (default 1 s; punches nobody waits for, relay upgrades and the target side, get 3 times)
 * @param punchInterval     probe period during a punch (default 50 ms)
 * @param keepalive         keepalive period on punched paths (default 15 s, under common 30 s UDP timeouts)
 * @param upgradeInterval   how often a relayed path retries a punch to go direct (default 30 s; the first retry
 *                          comes after 5 s)
 * @param relayProbeTimeout how long the relay strategy waits for the peer's answer through the relay (default 2 s)
 * @param upnp              map the node's port with UPnP IGD (opt-in, default off)
 * @param upnpLease         UPnP lease, renewed at half (default 1 h)
 */
public record NatConfig(IntroClientConfig intro, List<InetSocketAddress> stunServers, Duration directTimeout,
                        Duration punchTimeout, Duration punchInterval, Duration keepalive, Duration upgradeInterval,
                        Duration relayProbeTimeout, boolean upnp, Duration upnpLease) {

    public NatConfig {
        stunServers = List.copyOf(stunServers);
        for (Duration d : List.of(directTimeout, punchTimeout, punchInterval, keepalive, upgradeInterval,
                relayProbeTimeout, upnpLease)) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive");
            }
        }
        if (punchInterval.compareTo(punchTimeout) >= 0) {
            throw new IllegalArgumentException("punchInterval must be shorter than punchTimeout");
        }
    }

    /** Defaults for these introduction servers (STUN on port 3478 of each). */
    public static NatConfig of(List<InetSocketAddress> introServers) {
        List<InetSocketAddress> stun = introServers.stream()
                .map(s -> new InetSocketAddress(s.getAddress(), 3478)).toList();
        // the punch budget: peer-reflexive pairs (a cone NAT against a symmetric one) took up to ~1.1 s in the NAT lab
        // under load, so 1 s sometimes fell through to the relay where a direct path was there to be had
        return new NatConfig(IntroClientConfig.of(introServers), stun, Duration.ofMillis(500),
                Duration.ofMillis(2000), Duration.ofMillis(50), Duration.ofSeconds(15), Duration.ofSeconds(30),
                Duration.ofSeconds(2), false, Duration.ofHours(1));
    }

    /**
     * A node's settings from its configuration: its introduction servers (host names resolved now), STUN on port
     * 3478 of each, UPnP as configured; unresolvable servers are left out (and logged).
     */
    public static NatConfig from(org.p2pdns.node.config.NodeConfig c) {
        List<InetSocketAddress> servers = new java.util.ArrayList<>();
        for (org.p2pdns.node.config.HostPort h : c.intro()) {
            InetSocketAddress a = h.toSocketAddress();
            if (a.isUnresolved()) {
                org.slf4j.LoggerFactory.getLogger(NatConfig.class).warn("introduction server {} does not resolve", h);
            } else {
                servers.add(a);
            }
        }
        return of(servers).withUpnp(c.upnp());
    }

    public NatConfig withStunServers(List<InetSocketAddress> servers) {
        return new NatConfig(intro, servers, directTimeout, punchTimeout, punchInterval, keepalive, upgradeInterval,
                relayProbeTimeout, upnp, upnpLease);
    }

    public NatConfig withUpnp(boolean on) {
        return new NatConfig(intro, stunServers, directTimeout, punchTimeout, punchInterval, keepalive,
                upgradeInterval, relayProbeTimeout, on, upnpLease);
    }

    public NatConfig withUpnpLease(Duration lease) {
        return new NatConfig(intro, stunServers, directTimeout, punchTimeout, punchInterval, keepalive,
                upgradeInterval, relayProbeTimeout, upnp, lease);
    }

    public NatConfig withIntro(IntroClientConfig newIntro) {
        return new NatConfig(newIntro, stunServers, directTimeout, punchTimeout, punchInterval, keepalive,
                upgradeInterval, relayProbeTimeout, upnp, upnpLease);
    }

    public NatConfig withKeepalive(Duration period) {
        return new NatConfig(intro, stunServers, directTimeout, punchTimeout, punchInterval, period, upgradeInterval,
                relayProbeTimeout, upnp, upnpLease);
    }

    public NatConfig withTimeouts(Duration direct, Duration punch, Duration relayProbe, Duration upgrade) {
        return new NatConfig(intro, stunServers, direct, punch, punchInterval, keepalive, upgrade, relayProbe, upnp,
                upnpLease);
    }
}
