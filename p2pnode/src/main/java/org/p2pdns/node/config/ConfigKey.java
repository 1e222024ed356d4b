package org.p2pdns.node.config;

import java.util.Locale;

/**
 * Every key of the node's configuration, with its default and what it accepts. The same key is read from
 * {@code p2p.conf} in the data directory ({@code key = value}), from the environment ({@link #envName()}, e.g.
 * {@code P2P_DNS_ADDRESS}) and from command-line flags; flags win over the environment, which wins over the file.
 * docs/configuration.md lists every key (a test checks it).
 */
public enum ConfigKey {
    BIND("bind", "0.0.0.0", "an IP address", "address the node's UDP socket binds to"),
    PORT("port", "7700", "0..65535 (0 = any free port)", "UDP port of the node (DHT, secure sessions, STUN, hole punching)"),
    BOOTSTRAP("bootstrap", "", "comma-separated HOST:PORT list", "peers to join through (besides the persisted routing table)"),
    INTRO("intro", "", "comma-separated HOST:PORT list",
            "introduction servers (peer lists, STUN, hole punching); none = start or join a network through bootstrap peers only"),
    STUN("stun", "", "comma-separated HOST:PORT list, or none",
            "STUN servers for the NAT checks; empty = port 3478 of each introduction server"),
    DNS_ENABLED("dns.enabled", "true", "true or false (also yes/no, on/off)", "run the DNS bridge"),
    DNS_ADDRESS("dns.address", "127.0.0.1:5354", "IP:PORT (port 0..65535)", "where the DNS bridge listens (UDP and TCP)"),
    DNS_READ_PACING("dns.read-pacing", "30000", "0..10000000 (queries/s; 0 = never)",
            "UDP query rate at or above which the DNS bridge pauses 100 us after each read batch, to wake up less often"),
    UPNP("upnp", "false", "true or false (also yes/no, on/off)", "ask the router for a port mapping with UPnP IGD (opt-in)"),
    CONTROL_PORT("control.port", "0", "0..65535 (0 = any free port)",
            "loopback TCP port of the control API; the chosen port is written to control.port in the data directory"),
    TLD("network.tld", NetworkParams.DEFAULT.tld(), "one lower-case DNS label", "the overlay's top-level domain"),
    ID_DIFFICULTY("network.id-difficulty", String.valueOf(NetworkParams.DEFAULT.idDifficultyBits()), "0..32", "node-id proof of work (leading zero bits); every node of a network must agree"),
    NAME_DIFFICULTY("network.name-difficulty", String.valueOf(NetworkParams.DEFAULT.nameDifficultyBits()), "0..40", "name-claim proof of work (leading zero bits); every node of a network must agree"),
    QUERY_TIMEOUT("query.timeout", "10", "1..120 (seconds)", "how long p2p --query waits for an answer"),
    INTRO_SERVER_BIND("intro-server.bind", "0.0.0.0", "an IP address", "address p2p --intro-server binds to"),
    INTRO_SERVER_PORT("intro-server.port", "7460", "0..65535 (0 = any free port)", "UDP port of p2p --intro-server (registration, peer lists, rendezvous, relay)"),
    STUN_PORT("intro-server.stun-port", "3478", "-1..65535 (-1 = no STUN responder, 0 = any free port)", "UDP port of the introduction server's STUN responder");

    private final String key;
    private final String defaultValue;
    private final String accepted;
    private final String description;

    ConfigKey(String key, String defaultValue, String accepted, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.accepted = accepted;
        this.description = description;
    }

    /** The name in p2p.conf. */
    public String key() {
        return key;
    }

    /** The environment variable: {@code P2P_} + the key in upper case with '.' and '-' as '_'. */
    public String envName() {
        return "P2P_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public String defaultValue() {
        return defaultValue;
    }

    /** What the key accepts, as shown in error messages. */
    public String accepted() {
        return accepted;
    }

    public String description() {
        return description;
    }

    /** The key named {@code name} in p2p.conf, or {@code null}. */
    public static ConfigKey byKey(String name) {
        for (ConfigKey k : values()) {
            if (k.key.equals(name)) {
                return k;
            }
        }
        return null;
    }
}
