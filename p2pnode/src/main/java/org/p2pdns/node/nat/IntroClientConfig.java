package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * How a node talks to introduction servers; immutable, self-checking.
 *
 * @param servers         introduction servers, used in turn (the next when one stops answering); empty = none
 * @param refreshInterval how often a registration is refreshed; also keeps the NAT mapping towards the server open
 *                        (default 20 s, under common 30 s UDP mapping timeouts)
 * @param requestTimeout  first retransmit of an unanswered request, doubling (default 300 ms)
 * @param attempts        sends per request before the next server is tried (default 4)
 * @param wantPeers       peers asked for in each registration (default 16)
 * @param maxGuests       most guest registrations held at once: registrations with servers other than the current
 *                        one, made to reach peers registered only there (default 8; more are refused and counted)
 * @param guestIdle       a guest registration not used for this long (no rendezvous, relay or push through its
 *                        server) is dropped at its next refresh (default 2 min)
 */
public record IntroClientConfig(List<InetSocketAddress> servers, Duration refreshInterval, Duration requestTimeout,
                                int attempts, int wantPeers, int maxGuests, Duration guestIdle) {

    public IntroClientConfig {
        servers = List.copyOf(servers);
        if (refreshInterval.isNegative() || refreshInterval.isZero() || requestTimeout.isNegative()
                || requestTimeout.isZero()) {
            throw new IllegalArgumentException("intervals must be positive");
        }
        if (attempts < 1 || wantPeers < 0 || wantPeers > 255) {
            throw new IllegalArgumentException("attempts >= 1, wantPeers in 0..255");
        }
        if (maxGuests < 0 || maxGuests > 64 || guestIdle.isNegative() || guestIdle.isZero()) {
            throw new IllegalArgumentException("maxGuests in 0..64, guestIdle positive");
        }
    }

    /** The defaults above for {@code servers}. */
    public static IntroClientConfig of(List<InetSocketAddress> servers) {
        return new IntroClientConfig(servers, Duration.ofSeconds(20), Duration.ofMillis(300), 4, 16, 8,
                Duration.ofMinutes(2));
    }

    /** The same settings with another guest-registration cap and idle time. */
    public IntroClientConfig withGuests(int max, Duration idle) {
        return new IntroClientConfig(servers, refreshInterval, requestTimeout, attempts, wantPeers, max, idle);
    }
}
