package org.p2pdns.intro;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroCodec;
import org.p2pdns.node.intro.IntroDecodeException;
import org.p2pdns.node.intro.IntroError;
import org.p2pdns.node.intro.IntroMessage;
import org.p2pdns.node.intro.PeerInfo;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.transport.DatagramReceiver;
import org.p2pdns.node.transport.DatagramTransport;

/**
 * The introduction server's protocol logic, sans-IO: fed datagrams on its scheduler's thread, it answers through a
 * {@link DatagramTransport}. Registration, peer samples, rendezvous (PUNCH_NOW to both sides at once) and relay, with
 * rate limits, caps and a counter for every refusal.
 */
public final class IntroServerCore implements DatagramReceiver {

    /** Replies to an address that has not proved it receives (no valid cookie) are at most this many times the request. */
    static final int AMPLIFICATION_FACTOR = 3;

    private final IntroServerConfig config;
    private final Scheduler scheduler;
    private final DatagramTransport out;
    private final Random random;
    private final Counters counters;
    private final Registry registry;
    private final RateLimiter limiter;
    private final RelayGuard relay;
    private final Mac cookieMac;
    private final java.util.concurrent.Executor verifier;
    private Cancellable sweeper;

    /** A core that verifies REGISTER signatures inline, on the event thread (tests, small servers). */
    public IntroServerCore(IntroServerConfig config, Scheduler scheduler, DatagramTransport out, Random random,
                           Counters counters) {
        this(config, scheduler, out, random, counters, null);
    }

    /**
     * A core that verifies REGISTER signatures (the only costly step, ~0.1 ms each) on {@code verifier}'s threads and
     * applies the result back on the event thread; a verifier that refuses work (its queue is full) makes the
     * registration count as REJECT_OVERLOADED and be dropped.
     */
    public IntroServerCore(IntroServerConfig config, Scheduler scheduler, DatagramTransport out, Random random,
                           Counters counters, java.util.concurrent.Executor verifier) {
        this.verifier = verifier;
        this.config = config;
        this.scheduler = scheduler;
        this.out = out;
        this.random = random;
        this.counters = counters;
        this.registry = new Registry(config.maxRegistrations(), config.maxRegistrationsPerIp());
        this.limiter = new RateLimiter(config.requestsPerSecondPerIp(), config.burstPerIp(), config.maxTrackedIps());
        this.relay = new RelayGuard(config.relayBytesPerSession(), config.relaySessionTime().toMillis(),
                config.relayBytesPerIpPerMinute(), config.maxRelaySessions());
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        try {
            cookieMac = Mac.getInstance("HmacSHA256");
            cookieMac.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
        }
    }

    /** Starts the periodic sweep of expired registrations, idle rate-limit buckets and relay sessions. */
    public void start() {
        long ttl = config.registrationTtl().toMillis();
        Duration every = Duration.ofMillis(Math.max(100, Math.min(10_000, ttl / 3)));
        sweeper = scheduler.scheduleAtFixedRate(every, every, this::sweep);
    }

    public void stop() {
        if (sweeper != null) {
            sweeper.cancel();
        }
    }

    void sweep() {
        long now = scheduler.nowMillis();
        counters.add(ServerCounter.REGISTRATIONS_EXPIRED, registry.sweep(now));
        limiter.sweep(now);
        relay.sweep(now);
    }

    /** Live registrations (including expired ones not yet swept). */
    public int registrations() {
        return registry.size();
    }

    public int trackedIps() {
        return limiter.tracked();
    }

    public int relaySessions() {
        return relay.sessions();
    }

    @Override
    public void onDatagram(InetSocketAddress from, byte[] packet) {
        counters.inc(ServerCounter.PACKETS_IN);
        long now = scheduler.nowMillis();
        if (!IntroCodec.isIntro(packet)) {
            counters.inc(ServerCounter.REJECT_UNEXPECTED);
            return;
        }
        // relayed bytes are capped by the relay guard; requests cost one token each
        if (!limiter.allow(from.getAddress(), now, 1.0)) {
            counters.inc(ServerCounter.REJECT_RATE_LIMITED);
            return; // silently: an error reply would help a flood
        }
        IntroMessage m;
        try {
            m = IntroCodec.decode(packet);
        } catch (IntroDecodeException e) {
            counters.inc(switch (e.code()) {
                case UNSUPPORTED_VERSION -> ServerCounter.REJECT_VERSION;
                case TOO_LARGE -> ServerCounter.REJECT_TOO_LARGE;
                default -> ServerCounter.REJECT_MALFORMED;
            });
            error(from, requestIdOf(packet), e.code());
            return;
        }
        if (m instanceof IntroMessage.Register r) {
            onRegister(from, r, packet.length, now);
        } else if (m instanceof IntroMessage.PeersRequest r) {
            onPeers(from, r, packet.length, now);
        } else if (m instanceof IntroMessage.Rendezvous r) {
            onRendezvous(from, r, now);
        } else if (m instanceof IntroMessage.Relay r) {
            onRelay(from, r, now);
        } else {
            counters.inc(ServerCounter.REJECT_UNEXPECTED);
        }
    }

    /** The request id of a packet that failed to decode, when its header is long enough to hold one; else 0. */
    private static long requestIdOf(byte[] p) {
        int t = p[0] & 0xff;
        boolean hasId = t == IntroCodec.REGISTER || t == IntroCodec.PEERS_REQUEST || t == IntroCodec.RENDEZVOUS;
        return hasId && p.length >= 10 ? ByteBuffer.wrap(p, 2, 8).getLong() : 0;
    }

    private void onRegister(InetSocketAddress from, IntroMessage.Register r, int requestBytes, long now) {
        if (Math.abs(r.timestampMillis() - now) > config.clockSkew().toMillis()) {
            reject(from, r.requestId(), IntroError.STALE_TIMESTAMP, ServerCounter.REJECT_STALE_TIMESTAMP);
            return;
        }
        NodeId id = r.nodeId();
        if (!org.p2pdns.node.identity.IdProofOfWork.satisfies(id, config.idDifficultyBits())) {
            reject(from, r.requestId(), IntroError.BAD_PROOF_OF_WORK, ServerCounter.REJECT_PROOF_OF_WORK);
            return;
        }
        Registry.Entry e = registry.get(id);
        if (e != null && r.timestampMillis() <= e.lastTimestamp) {
            // a replay, or a refresh older than the one accepted: never let it move the registration
            reject(from, r.requestId(), IntroError.STALE_TIMESTAMP, ServerCounter.REJECT_STALE_TIMESTAMP);
            return;
        }
        if (verifier == null) {
            finishRegister(from, r, requestBytes, IntroCodec.verify(r));
            return;
        }
        try {
            verifier.execute(() -> {
                boolean ok = IntroCodec.verify(r);
                scheduler.execute(() -> finishRegister(from, r, requestBytes, ok));
            });
        } catch (java.util.concurrent.RejectedExecutionException overloaded) {
            counters.inc(ServerCounter.REJECT_OVERLOADED); // dropped: under overload a reply would only add load
        }
    }

    private void finishRegister(InetSocketAddress from, IntroMessage.Register r, int requestBytes, boolean valid) {
        if (!valid) {
            reject(from, r.requestId(), IntroError.BAD_SIGNATURE, ServerCounter.REJECT_BAD_SIGNATURE);
            return;
        }
        long now = scheduler.nowMillis();
        NodeId id = r.nodeId();
        Registry.Entry e = registry.get(id);
        if (e != null && r.timestampMillis() <= e.lastTimestamp) { // another REGISTER won the race meanwhile
            reject(from, r.requestId(), IntroError.STALE_TIMESTAMP, ServerCounter.REJECT_STALE_TIMESTAMP);
            return;
        }
        if (e == null) {
            Registry.Admit a = registry.admit(from.getAddress(), now);
            if (a == Registry.Admit.IP_QUOTA) {
                reject(from, r.requestId(), IntroError.RATE_LIMITED, ServerCounter.REJECT_IP_QUOTA);
                return;
            }
            if (a == Registry.Admit.FULL) {
                reject(from, r.requestId(), IntroError.REGISTRY_FULL, ServerCounter.REJECT_REGISTRY_FULL);
                return;
            }
            e = registry.add(id, r.publicKey(), from);
            counters.inc(ServerCounter.REGISTERED_NEW);
        } else {
            if (!e.reflexive.getAddress().equals(from.getAddress()) && !registry.ipHasRoom(from.getAddress())) {
                reject(from, r.requestId(), IntroError.RATE_LIMITED, ServerCounter.REJECT_IP_QUOTA);
                return;
            }
            registry.move(e, from);
            counters.inc(ServerCounter.REGISTRATIONS_REFRESHED);
        }
        e.locals = r.locals();
        e.lastTimestamp = r.timestampMillis();
        e.expiresAt = now + config.registrationTtl().toMillis();
        long cookie = cookie(from, r.publicKey());
        int want = Math.min(r.wantPeers(), config.maxPeersPerReply());
        List<PeerInfo> sample = registry.sample(random, want, id, now);
        int ttl = (int) Math.min(Integer.MAX_VALUE, config.registrationTtl().toSeconds());
        send(from, new IntroMessage.Registered(r.requestId(), from, ttl, cookie, sample),
                replyCap(r.cookie() == cookie, requestBytes));
    }

    private int replyCap(boolean proven, int requestBytes) {
        return proven ? IntroCodec.MAX_REPLY : Math.min(IntroCodec.MAX_REPLY, AMPLIFICATION_FACTOR * requestBytes);
    }

    private void onPeers(InetSocketAddress from, IntroMessage.PeersRequest r, int requestBytes, long now) {
        Registry.Entry e = registry.liveAt(r.nodeId(), from, now);
        if (e == null) {
            reject(from, r.requestId(), IntroError.NOT_REGISTERED, ServerCounter.REJECT_NOT_REGISTERED);
            return;
        }
        counters.inc(ServerCounter.PEERS_SERVED);
        List<PeerInfo> sample = registry.sample(random, Math.min(r.want(), config.maxPeersPerReply()), e.id, now);
        send(from, new IntroMessage.Peers(r.requestId(), sample),
                replyCap(r.cookie() == cookie(from, e.publicKey), requestBytes));
    }

    private void onRendezvous(InetSocketAddress from, IntroMessage.Rendezvous r, long now) {
        Registry.Entry a = registry.liveAt(r.nodeId(), from, now);
        if (a == null) {
            reject(from, r.requestId(), IntroError.NOT_REGISTERED, ServerCounter.REJECT_NOT_REGISTERED);
            return;
        }
        Registry.Entry b = registry.get(r.targetId());
        if (b == null || b.expiresAt <= now || b == a) {
            reject(from, r.requestId(), IntroError.UNKNOWN_TARGET, ServerCounter.REJECT_UNKNOWN_TARGET);
            return;
        }
        counters.inc(ServerCounter.RENDEZVOUS);
        long token = random.nextLong();
        // both at the same moment: the target first, since the requester is known to be listening already
        send(b.reflexive, new IntroMessage.PunchNow(0, token, false, a.toPeerInfo()), IntroCodec.MAX_REPLY);
        send(from, new IntroMessage.PunchNow(r.requestId(), token, true, b.toPeerInfo()), IntroCodec.MAX_REPLY);
    }

    private void onRelay(InetSocketAddress from, IntroMessage.Relay r, long now) {
        if (!config.relayEnabled()) {
            reject(from, 0, IntroError.RELAY_DISABLED, ServerCounter.REJECT_RELAY_DISABLED);
            return;
        }
        Registry.Entry a = registry.liveAt(r.fromId(), from, now);
        if (a == null) {
            reject(from, 0, IntroError.NOT_REGISTERED, ServerCounter.REJECT_NOT_REGISTERED);
            return;
        }
        Registry.Entry b = registry.get(r.toId());
        if (b == null || b.expiresAt <= now || b == a) {
            reject(from, 0, IntroError.UNKNOWN_TARGET, ServerCounter.REJECT_UNKNOWN_TARGET);
            return;
        }
        int n = r.payload().length;
        if (!relay.allow(a.id, b.id, from.getAddress(), n, now)) {
            reject(from, 0, IntroError.RELAY_LIMIT, ServerCounter.REJECT_RELAY_LIMIT);
            return;
        }
        counters.inc(ServerCounter.RELAYED_PACKETS);
        counters.add(ServerCounter.RELAYED_BYTES, n);
        out.send(b.reflexive, IntroCodec.encode(new IntroMessage.Relayed(a.id, r.payload())));
    }

    private void reject(InetSocketAddress to, long requestId, IntroError code, ServerCounter counter) {
        counters.inc(counter);
        error(to, requestId, code);
    }

    private void error(InetSocketAddress to, long requestId, IntroError code) {
        out.send(to, IntroCodec.encode(new IntroMessage.Error(requestId, code)));
    }

    private void send(InetSocketAddress to, IntroMessage m, int maxBytes) {
        out.send(to, IntroCodec.encode(m, maxBytes));
    }

    /** An address cookie: HMAC(secret, address, key), so only a node that receives at {@code from} can echo it. */
    private long cookie(InetSocketAddress from, byte[] publicKey) {
        cookieMac.update(from.getAddress().getAddress());
        cookieMac.update((byte) (from.getPort() >> 8));
        cookieMac.update((byte) from.getPort());
        cookieMac.update(publicKey);
        long c = ByteBuffer.wrap(cookieMac.doFinal()).getLong();
        return c == 0 ? 1 : c; // 0 means "no cookie" on the wire
    }

    @Override
    public String toString() {
        return "IntroServerCore{registrations=" + registry.size() + ", counters=" + counters + "}";
    }
}
