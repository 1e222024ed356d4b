package org.p2pdns.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a node process needs to start, after merging defaults, {@code p2p.conf}, environment and flags (see
 * {@link ConfigKey} for each key's default and {@link ConfigLoader} for the merge). Immutable; checks its own
 * invariants, naming the key at fault.
 *
 * @param dataDir         the data directory (keys, store, routing table, control token)
 * @param bind            IP address the UDP socket binds to
 * @param port            UDP port, 0 for any free port
 * @param bootstrap       peers to join through
 * @param intro           introduction servers
 * @param stun            STUN servers for the NAT checks; null = port 3478 of each introduction server, empty = none
 * @param dnsEnabled      whether the DNS bridge runs
 * @param dnsAddress      where the DNS bridge listens
 * @param dnsReadPacing   UDP queries/s at or above which the DNS bridge paces its reads; 0 = never
 * @param upnp            whether to ask the router for a port mapping
 * @param controlPort     loopback TCP port of the control API, 0 for any free port
 * @param network         network parameters (TLD, proof-of-work difficulties)
 * @param queryTimeout    how long a query waits
 * @param introServerBind address {@code p2p --intro-server} binds to
 * @param introServerPort UDP port of the introduction server
 * @param stunPort        UDP port of the introduction server's STUN responder, -1 for none, 0 for any free port
 */
public record NodeConfig(Path dataDir, String bind, int port, List<HostPort> bootstrap, List<HostPort> intro,
                         List<HostPort> stun, boolean dnsEnabled, HostPort dnsAddress, int dnsReadPacing, boolean upnp, int controlPort, NetworkParams network,
                         Duration queryTimeout, String introServerBind, int introServerPort, int stunPort) {

    /** Highest {@code dns.read-pacing}: far above what one event loop thread can serve. */
    public static final int MAX_READ_PACING = 10_000_000;

    public NodeConfig {
        if (dataDir == null) {
            throw new ConfigException("data-dir", "the data directory must be set");
        }
        requireIp(ConfigKey.BIND, bind);
        requireIp(ConfigKey.INTRO_SERVER_BIND, introServerBind);
        requirePort(ConfigKey.PORT, port, 0);
        requirePort(ConfigKey.CONTROL_PORT, controlPort, 0);
        requirePort(ConfigKey.INTRO_SERVER_PORT, introServerPort, 0);
        requirePort(ConfigKey.STUN_PORT, stunPort, -1);
        bootstrap = List.copyOf(bootstrap);
        intro = List.copyOf(intro);
        stun = stun == null ? null : List.copyOf(stun);
        for (HostPort h : bootstrap) {
            if (h.port() == 0) {
                throw new ConfigException(ConfigKey.BOOTSTRAP.key(), "bootstrap: port 0 is not a peer's port");
            }
        }
        for (HostPort h : intro) {
            if (h.port() == 0) {
                throw new ConfigException(ConfigKey.INTRO.key(), "intro: port 0 is not a server's port");
            }
        }
        if (dnsAddress == null || !IpLiterals.isIpLiteral(dnsAddress.host())) {
            throw new ConfigException(ConfigKey.DNS_ADDRESS.key(), "dns.address: must be IP:PORT, got " + dnsAddress);
        }
        if (dnsReadPacing < 0 || dnsReadPacing > MAX_READ_PACING) {
            throw new ConfigException(ConfigKey.DNS_READ_PACING.key(), ConfigKey.DNS_READ_PACING.key() + ": must be in "
                    + ConfigKey.DNS_READ_PACING.accepted() + ", got " + dnsReadPacing);
        }
        if (network == null) {
            throw new ConfigException(ConfigKey.TLD.key(), "network parameters must be set");
        }
        if (queryTimeout == null || queryTimeout.compareTo(Duration.ofSeconds(1)) < 0
                || queryTimeout.compareTo(Duration.ofSeconds(120)) > 0) {
            throw new ConfigException(ConfigKey.QUERY_TIMEOUT.key(), "query.timeout: must be in 1..120 seconds, got "
                    + queryTimeout);
        }
    }

    private static void requireIp(ConfigKey key, String ip) {
        if (ip == null || !IpLiterals.isIpLiteral(ip)) {
            throw new ConfigException(key.key(), key.key() + ": must be " + key.accepted() + ", got '" + ip + "'");
        }
    }

    private static void requirePort(ConfigKey key, int port, int min) {
        if (port < min || port > 65535) {
            throw new ConfigException(key.key(), key.key() + ": must be in " + key.accepted() + ", got " + port);
        }
    }

    /** The same configuration on another UDP port (e.g. 0 for a one-shot query node). */
    public NodeConfig withPort(int newPort) {
        return new NodeConfig(dataDir, bind, newPort, bootstrap, intro, stun, dnsEnabled, dnsAddress, dnsReadPacing, upnp, controlPort,
                network, queryTimeout, introServerBind, introServerPort, stunPort);
    }

    /** The same configuration with or without the DNS bridge. */
    public NodeConfig withDns(boolean enabled) {
        return new NodeConfig(dataDir, bind, port, bootstrap, intro, stun, enabled, dnsAddress, dnsReadPacing, upnp, controlPort,
                network, queryTimeout, introServerBind, introServerPort, stunPort);
    }

    /** The same configuration in another data directory. */
    public NodeConfig withDataDir(Path dir) {
        return new NodeConfig(dir, bind, port, bootstrap, intro, stun, dnsEnabled, dnsAddress, dnsReadPacing, upnp, controlPort,
                network, queryTimeout, introServerBind, introServerPort, stunPort);
    }
}
