package org.p2pdns.node.transport;

import java.time.Duration;
import org.p2pdns.node.config.NetworkParams;

/**
 * Settings of {@link SecureTransport}. Immutable; checks its own invariants.
 *
 * @param idDifficultyBits       node-id proof of work a peer must carry (the network's
 *                               {@link NetworkParams#idDifficultyBits()}); peers without it are dropped and counted
 * @param rekeyAfter             a session older than this starts a new handshake when it is next used to send
 *                               (default 2 min, as WireGuard)
 * @param rejectAfter            a session older than this is not used any more in either direction (default 3 min)
 * @param rekeyAfterMessages     a session that has sent this many messages starts a new handshake (default 2^20)
 * @param idleTimeout            a session neither sending nor receiving for this long is discarded (default 5 min)
 * @param handshakeRetransmit    wait before the first retry of a handshake (with a fresh ephemeral key); each later
 *                               retry waits twice as long as the one before (default 1 s: retries after 1 s and 3 s)
 * @param handshakeAttempts      attempts before a handshake fails and its queued messages are dropped (default 3: it
 *                               fails 7 s after it started)
 * @param maxPeers               peers with session state kept at once; the least recently used is evicted
 *                               (default 4096; each peer holds a current session and at most 3 older ones)
 * @param maxPendingHandshakes   handshakes in progress kept at once, both roles; the oldest is evicted (default 512)
 * @param maxQueuedPerHandshake  messages queued behind one pending handshake; more are dropped (default 64)
 * @param handshakesPerSecondPerIp  handshake initiations answered per second from one source IP, or IPv6 /64
 *                               (default 50)
 * @param handshakeBurstPerIp    burst allowance of that limit (default 100)
 */
public record TransportConfig(int idDifficultyBits, Duration rekeyAfter, Duration rejectAfter, long rekeyAfterMessages,
                              Duration idleTimeout, Duration handshakeRetransmit, int handshakeAttempts, int maxPeers,
                              int maxPendingHandshakes, int maxQueuedPerHandshake, double handshakesPerSecondPerIp,
                              int handshakeBurstPerIp) {

    /** Defaults for the default network. */
    public static final TransportConfig DEFAULT = forNetwork(NetworkParams.DEFAULT);

    public TransportConfig {
        if (idDifficultyBits < 0 || idDifficultyBits > 32) {
            throw new IllegalArgumentException("idDifficultyBits must be in 0..32, got " + idDifficultyBits);
        }
        requirePositive(rekeyAfter, "rekeyAfter");
        requirePositive(rejectAfter, "rejectAfter");
        requirePositive(idleTimeout, "idleTimeout");
        requirePositive(handshakeRetransmit, "handshakeRetransmit");
        if (rejectAfter.compareTo(rekeyAfter) <= 0) {
            throw new IllegalArgumentException("rejectAfter must be longer than rekeyAfter");
        }
        if (rekeyAfterMessages < 1 || rekeyAfterMessages > (1L << 60)) {
            throw new IllegalArgumentException("rekeyAfterMessages must be in 1..2^60, got " + rekeyAfterMessages);
        }
        if (handshakeAttempts < 1 || handshakeAttempts > 20) {
            throw new IllegalArgumentException("handshakeAttempts must be in 1..20, got " + handshakeAttempts);
        }
        if (maxPeers < 1 || maxPendingHandshakes < 1 || maxQueuedPerHandshake < 1) {
            throw new IllegalArgumentException("maxPeers, maxPendingHandshakes and maxQueuedPerHandshake must be >= 1");
        }
        if (!(handshakesPerSecondPerIp > 0) || handshakeBurstPerIp < 1) {
            throw new IllegalArgumentException("the handshake rate limit must be positive, with a burst >= 1");
        }
    }

    /** The defaults, with the proof of work of {@code params}. */
    public static TransportConfig forNetwork(NetworkParams params) {
        return new TransportConfig(params.idDifficultyBits(), Duration.ofMinutes(2), Duration.ofMinutes(3), 1L << 20,
                Duration.ofMinutes(5), Duration.ofSeconds(1), 3, 4096, 512, 64, 50, 100);
    }

    /** A copy with another node-id proof-of-work requirement. */
    public TransportConfig withDifficulty(int bits) {
        return new TransportConfig(bits, rekeyAfter, rejectAfter, rekeyAfterMessages, idleTimeout, handshakeRetransmit,
                handshakeAttempts, maxPeers, maxPendingHandshakes, maxQueuedPerHandshake, handshakesPerSecondPerIp,
                handshakeBurstPerIp);
    }

    /** A copy with other rekey and reject ages. */
    public TransportConfig withExpiry(Duration newRekeyAfter, Duration newRejectAfter) {
        return new TransportConfig(idDifficultyBits, newRekeyAfter, newRejectAfter, rekeyAfterMessages, idleTimeout,
                handshakeRetransmit, handshakeAttempts, maxPeers, maxPendingHandshakes, maxQueuedPerHandshake,
                handshakesPerSecondPerIp, handshakeBurstPerIp);
    }

    /** A copy with another rekey message count. */
    public TransportConfig withRekeyAfterMessages(long n) {
        return new TransportConfig(idDifficultyBits, rekeyAfter, rejectAfter, n, idleTimeout, handshakeRetransmit,
                handshakeAttempts, maxPeers, maxPendingHandshakes, maxQueuedPerHandshake, handshakesPerSecondPerIp,
                handshakeBurstPerIp);
    }

    /** A copy with other limits. */
    public TransportConfig withLimits(int newMaxPeers, int newMaxPending, int newMaxQueued) {
        return new TransportConfig(idDifficultyBits, rekeyAfter, rejectAfter, rekeyAfterMessages, idleTimeout,
                handshakeRetransmit, handshakeAttempts, newMaxPeers, newMaxPending, newMaxQueued,
                handshakesPerSecondPerIp, handshakeBurstPerIp);
    }

    /** A copy with another per-IP handshake rate limit. */
    public TransportConfig withHandshakeRate(double perSecond, int burst) {
        return new TransportConfig(idDifficultyBits, rekeyAfter, rejectAfter, rekeyAfterMessages, idleTimeout,
                handshakeRetransmit, handshakeAttempts, maxPeers, maxPendingHandshakes, maxQueuedPerHandshake,
                perSecond, burst);
    }

    /** A copy with another idle timeout. */
    public TransportConfig withIdleTimeout(Duration d) {
        return new TransportConfig(idDifficultyBits, rekeyAfter, rejectAfter, rekeyAfterMessages, d,
                handshakeRetransmit, handshakeAttempts, maxPeers, maxPendingHandshakes, maxQueuedPerHandshake,
                handshakesPerSecondPerIp, handshakeBurstPerIp);
    }

    /** A copy with another handshake retransmit interval and attempt count. */
    public TransportConfig withHandshakeRetry(Duration retransmit, int attempts) {
        return new TransportConfig(idDifficultyBits, rekeyAfter, rejectAfter, rekeyAfterMessages, idleTimeout,
                retransmit, attempts, maxPeers, maxPendingHandshakes, maxQueuedPerHandshake, handshakesPerSecondPerIp,
                handshakeBurstPerIp);
    }

    /**
     * How long a handshake can be in flight: retransmit × (2^attempts − 1), 7 s by default. Two sessions with one peer
     * opened within it count as simultaneous; an unconfirmed or unanswered session is trusted for that long.
     */
    Duration handshakeLifetime() {
        return handshakeRetransmit.multipliedBy((1L << handshakeAttempts) - 1);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
