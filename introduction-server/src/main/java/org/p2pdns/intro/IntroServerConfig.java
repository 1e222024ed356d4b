package org.p2pdns.intro;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Immutable configuration of an introduction server; checks its own invariants. {@link #defaults()} documents every
 * default.
 *
 * @param bind                     UDP address for intro messages (default {@code 0.0.0.0:7460}; port 0 = ephemeral)
 * @param stunPort                 UDP port of the STUN Binding responder on the same IP (default 3478; 0 = ephemeral;
 *                                 -1 = no STUN responder)
 * @param registrationTtl          how long a registration lives unless refreshed (default 90 s)
 * @param maxRegistrations         registry size cap (default 100,000)
 * @param maxRegistrationsPerIp    registrations one IP address may hold (default 64)
 * @param maxPeersPerReply         largest peer sample (default 16; replies are also cut to fit one datagram)
 * @param clockSkew                how far a REGISTER timestamp may be from the server clock (default 5 min)
 * @param requestsPerSecondPerIp   sustained request rate per source IP (default 50/s)
 * @param burstPerIp               token-bucket burst per source IP (default 100)
 * @param maxTrackedIps            rate-limit state cap; beyond it new IPs are refused (default 200,000)
 * @param relayEnabled             whether RELAY is served (default true)
 * @param relayBytesPerSession     bytes one pair of nodes may relay per session (default 4 MiB)
 * @param relaySessionTime         how long one pair may relay; the pair is then refused for as long again (default 10 min)
 * @param relayBytesPerIpPerMinute relayed bytes per sending IP per minute (default 8 MiB)
 * @param maxRelaySessions         concurrent relay sessions (default 10,000)
 * @param idDifficultyBits         node-id proof of work a registering node must carry: the network's parameter, which
 *                                 {@link #from} takes from the node configuration (default here 0 = no check, since
 *                                 the server cannot know which network it serves)
 */
public record IntroServerConfig(InetSocketAddress bind, int stunPort, Duration registrationTtl, int maxRegistrations,
                                int maxRegistrationsPerIp, int maxPeersPerReply, Duration clockSkew,
                                double requestsPerSecondPerIp, int burstPerIp, int maxTrackedIps,
                                boolean relayEnabled, long relayBytesPerSession, Duration relaySessionTime,
                                long relayBytesPerIpPerMinute, int maxRelaySessions, int idDifficultyBits) {

    /** Default intro-message port. */
    public static final int DEFAULT_PORT = 7460;
    /** Default STUN port (RFC 8489). */
    public static final int DEFAULT_STUN_PORT = 3478;

    public IntroServerConfig {
        if (bind == null || bind.getAddress() == null) {
            throw new IllegalArgumentException("bind must be a resolved address");
        }
        if (stunPort < -1 || stunPort > 65535) {
            throw new IllegalArgumentException("stunPort must be -1 (off), 0 (ephemeral) or a port, got " + stunPort);
        }
        if (stunPort > 0 && stunPort == bind.getPort()) {
            throw new IllegalArgumentException("stunPort must differ from the intro port");
        }
        requirePositive(registrationTtl, "registrationTtl");
        requirePositive(clockSkew, "clockSkew");
        requirePositive(relaySessionTime, "relaySessionTime");
        if (maxRegistrations < 1 || maxRegistrationsPerIp < 1 || maxTrackedIps < 1 || maxRelaySessions < 1) {
            throw new IllegalArgumentException("caps must be at least 1");
        }
        if (maxPeersPerReply < 0 || maxPeersPerReply > 64) {
            throw new IllegalArgumentException("maxPeersPerReply must be in 0..64, got " + maxPeersPerReply);
        }
        if (!(requestsPerSecondPerIp > 0) || burstPerIp < 1) {
            throw new IllegalArgumentException("rate limit must be positive");
        }
        if (idDifficultyBits < 0 || idDifficultyBits > 32) {
            throw new IllegalArgumentException("idDifficultyBits must be in 0..32, got " + idDifficultyBits);
        }
        if (relayBytesPerSession < 1 || relayBytesPerIpPerMinute < 1) {
            throw new IllegalArgumentException("relay byte caps must be positive");
        }
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** The defaults listed above, bound to every interface. */
    public static IntroServerConfig defaults() {
        return new IntroServerConfig(new InetSocketAddress("0.0.0.0", DEFAULT_PORT), DEFAULT_STUN_PORT,
                Duration.ofSeconds(90), 100_000, 64, 16, Duration.ofMinutes(5), 50, 100, 200_000,
                true, 4L << 20, Duration.ofMinutes(10), 8L << 20, 10_000, 0);
    }

    /**
     * The settings {@code p2p --intro-server} uses: the defaults above with the node configuration's intro-server
     * address, ports and the network's node-id proof-of-work difficulty.
     */
    public static IntroServerConfig from(org.p2pdns.node.config.NodeConfig c) {
        InetSocketAddress bind;
        try {
            bind = new InetSocketAddress(java.net.InetAddress.getByName(c.introServerBind()), c.introServerPort());
        } catch (java.net.UnknownHostException e) { // NodeConfig only admits IP literals
            throw new IllegalArgumentException("intro-server.bind is not an IP address: " + c.introServerBind(), e);
        }
        return defaults().withBind(bind, c.stunPort()).withIdDifficulty(c.network().idDifficultyBits());
    }

    public IntroServerConfig withBind(InetSocketAddress newBind, int newStunPort) {
        return new IntroServerConfig(newBind, newStunPort, registrationTtl, maxRegistrations, maxRegistrationsPerIp,
                maxPeersPerReply, clockSkew, requestsPerSecondPerIp, burstPerIp, maxTrackedIps, relayEnabled,
                relayBytesPerSession, relaySessionTime, relayBytesPerIpPerMinute, maxRelaySessions, idDifficultyBits);
    }

    public IntroServerConfig withRegistrations(Duration ttl, int max, int perIp) {
        return new IntroServerConfig(bind, stunPort, ttl, max, perIp, maxPeersPerReply, clockSkew,
                requestsPerSecondPerIp, burstPerIp, maxTrackedIps, relayEnabled, relayBytesPerSession,
                relaySessionTime, relayBytesPerIpPerMinute, maxRelaySessions, idDifficultyBits);
    }

    /** The network's node-id proof-of-work difficulty (0 for test networks). */
    public IntroServerConfig withIdDifficulty(int bits) {
        return new IntroServerConfig(bind, stunPort, registrationTtl, maxRegistrations, maxRegistrationsPerIp,
                maxPeersPerReply, clockSkew, requestsPerSecondPerIp, burstPerIp, maxTrackedIps, relayEnabled,
                relayBytesPerSession, relaySessionTime, relayBytesPerIpPerMinute, maxRelaySessions, bits);
    }

    public IntroServerConfig withRateLimit(double perSecond, int burst, int trackedIps) {
        return new IntroServerConfig(bind, stunPort, registrationTtl, maxRegistrations, maxRegistrationsPerIp,
                maxPeersPerReply, clockSkew, perSecond, burst, trackedIps, relayEnabled, relayBytesPerSession,
                relaySessionTime, relayBytesPerIpPerMinute, maxRelaySessions, idDifficultyBits);
    }

    public IntroServerConfig withRelay(boolean enabled, long bytesPerSession, Duration sessionTime,
                                       long bytesPerIpPerMinute, int maxSessions) {
        return new IntroServerConfig(bind, stunPort, registrationTtl, maxRegistrations, maxRegistrationsPerIp,
                maxPeersPerReply, clockSkew, requestsPerSecondPerIp, burstPerIp, maxTrackedIps, enabled,
                bytesPerSession, sessionTime, bytesPerIpPerMinute, maxSessions, idDifficultyBits);
    }
}
