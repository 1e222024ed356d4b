package org.p2pdns.node.transport;

import static org.p2pdns.node.transport.NoiseWire.FINISH_HEADER;
import static org.p2pdns.node.transport.NoiseWire.INIT_HEADER;
import static org.p2pdns.node.transport.NoiseWire.DATA_HEADER;
import static org.p2pdns.node.transport.NoiseWire.KEY;
import static org.p2pdns.node.transport.NoiseWire.PATTERN_IK;
import static org.p2pdns.node.transport.NoiseWire.PATTERN_XX;
import static org.p2pdns.node.transport.NoiseWire.RESPONSE_HEADER;
import static org.p2pdns.node.transport.NoiseWire.TAG;
import static org.p2pdns.node.transport.NoiseWire.TIMESTAMP;
import static org.p2pdns.node.transport.NoiseWire.VERSION;
import static org.p2pdns.node.transport.NoiseWire.getInt;
import static org.p2pdns.node.transport.NoiseWire.getLong;
import static org.p2pdns.node.transport.NoiseWire.prologue;
import static org.p2pdns.node.transport.NoiseWire.putInt;
import static org.p2pdns.node.transport.NoiseWire.putLong;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.crypto.BadPaddingException;
import javax.crypto.ShortBufferException;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.IdProofOfWork;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.identity.X25519Keys;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.transport.TransportStats.Counter;
import org.p2pdns.node.util.LruMap;

/**
 * Authenticated, encrypted messages between nodes over a {@link DatagramTransport}, with Noise sessions
 * (X25519, ChaCha20-Poly1305, SHA-256; see {@link NoiseHandshake}). The wire format is in docs/protocol-transport.md.
 *
 * <p>To a peer whose key is known ({@link #send}) the handshake is Noise IK and the first message rides on the first
 * handshake packet, so a new peer costs no extra round trip; the responder's reply, if its handler sends one at once,
 * rides on the handshake response. To an address whose key is unknown ({@link #sendToAddress}, bootstrap) it is Noise
 * XX. Either way both ends are authenticated by their node keys: each handshake carries the sender's Ed25519 key, which
 * must convert to the X25519 static key the handshake proved, and the node id derived from it must carry the network's
 * proof of work. After the handshake, SESSION_DATA packets carry an explicit nonce checked against a sliding replay
 * window; sessions are rekeyed after {@link TransportConfig#rekeyAfter()} and refused after
 * {@link TransportConfig#rejectAfter()}. Every dropped packet is counted in {@link TransportStats}.
 *
 * <p>This class is the handshake state machine (both roles, both patterns), kept in one place so its transitions read
 * together; sessions live in {@link SessionTable}, the byte layout in {@link NoiseWire}.
 *
 * <p>Not thread-safe by itself: all state belongs to the node's {@link Scheduler}; calls from other threads are posted
 * to it. Wire it as the receiver of session packets: {@code udp.setReceiver(secure)} or
 * {@code demux.onSession(secure)}.
 */
public final class SecureTransport implements MessageTransport, DatagramReceiver, AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SecureTransport.class);

    /** Largest message that rides on an IK HANDSHAKE_INIT (larger ones follow the handshake). */
    public static final int MAX_IK_PIGGYBACK = DatagramTransport.MAX_SESSION_DATAGRAM - INIT_HEADER - KEY - (KEY + TAG)
            - (KEY + TIMESTAMP + TAG);
    /** Largest message that rides on an XX HANDSHAKE_FINISH. */
    public static final int MAX_XX_PIGGYBACK = DatagramTransport.MAX_SESSION_DATAGRAM - FINISH_HEADER - (KEY + TAG)
            - (KEY + TAG);

    private final NodeIdentity identity;
    private final DatagramTransport datagrams;
    private final Scheduler scheduler;
    private final Random random;
    private final TransportConfig config;
    private final TransportStats stats;
    private final byte[] localPublicKey;
    private final byte[] localX25519Private;
    private final byte[] localX25519Public;
    private final HandshakeRateLimiter rateLimiter;
    /** Responses to recent INITs, to answer a retransmitted copy again without a new handshake. */
    private final AnsweredInits answered;

    private final SessionTable sessions;
    /** Every pending handshake's index (ours), to it. */
    private final Map<Integer, PendingHandshake> pendingByIndex = new HashMap<>();
    /** Handshakes in progress, oldest first (the one evicted at the limit). */
    private final LinkedHashSet<PendingHandshake> pendingOrder = new LinkedHashSet<>();
    private final Map<NodeId, PendingHandshake> pendingIkByPeer = new HashMap<>();
    private final Map<InetSocketAddress, PendingHandshake> pendingXxByAddress = new HashMap<>();
    private final LinkedHashMap<NodeId, Long> lastInitTimestamp;
    private final LinkedHashMap<NodeId, byte[]> x25519Cache;

    private volatile MessageHandler handler;
    private volatile InetSocketAddress publicAddress;
    private long lastSentTimestamp;
    private Cancellable sweepTimer;
    private boolean closed;

    // while a handler runs on an IK initiation's message, its sends to that peer wait to ride on the response
    private NodeId deferPeer;
    private InetSocketAddress deferAddress;
    private List<byte[]> deferred;

    /**
     * A secure transport for {@code identity} over {@code datagrams}; timers run on {@code scheduler}, session indexes
     * come from {@code random} (seeded in tests). Noise ephemeral keys come from a SecureRandom.
     */
    public SecureTransport(NodeIdentity identity, DatagramTransport datagrams, Scheduler scheduler, Random random,
                           TransportConfig config, TransportStats stats) {
        this.identity = identity;
        this.datagrams = datagrams;
        this.scheduler = scheduler;
        this.random = random;
        this.config = config;
        this.stats = stats;
        this.localPublicKey = identity.publicKey();
        this.localX25519Private = identity.x25519PrivateKey();
        this.localX25519Public = X25519Keys.publicKeyOf(localX25519Private);
        this.answered = new AnsweredInits(config.maxPendingHandshakes());
        this.rateLimiter = new HandshakeRateLimiter(config.handshakesPerSecondPerIp(), config.handshakeBurstPerIp());
        this.sessions = new SessionTable(config, stats);
        int remembered = Math.max(1024, 2 * config.maxPeers());
        this.lastInitTimestamp = LruMap.withMax(remembered);
        this.x25519Cache = LruMap.withMax(remembered);
    }

    // ---------------------------------------------------------------------------------------------------- API

    @Override
    public Contact self() {
        InetSocketAddress a = publicAddress;
        return identity.contact(a != null ? a : datagrams.localAddress());
    }

    /** Sets the address peers see this node at (from STUN or the introduction server), for {@link #self()}. */
    public void setPublicAddress(InetSocketAddress address) {
        this.publicAddress = address;
    }

    @Override
    public void setHandler(MessageHandler handler) {
        this.handler = handler;
    }

    /** The counters this transport writes to. */
    public TransportStats stats() {
        return stats;
    }

    /** The settings in force. */
    public TransportConfig config() {
        return config;
    }

    @Override
    public void send(Contact to, byte[] message) {
        if (!scheduler.inEventThread()) {
            byte[] copy = message == null ? null : message.clone();
            scheduler.execute(() -> send(to, copy));
            return;
        }
        try {
            sendNow(to, message);
        } catch (RuntimeException e) {
            internalError("send", e);
        }
    }

    @Override
    public void sendToAddress(InetSocketAddress to, byte[] message) {
        if (!scheduler.inEventThread()) {
            byte[] copy = message == null ? null : message.clone();
            scheduler.execute(() -> sendToAddress(to, copy));
            return;
        }
        try {
            sendToAddressNow(to, message);
        } catch (RuntimeException e) {
            internalError("sendToAddress", e);
        }
    }

    @Override
    public void onDatagram(InetSocketAddress from, byte[] packet) {
        if (closed) {
            return;
        }
        try {
            if (packet.length == 0) {
                stats.increment(Counter.MALFORMED);
                return;
            }
            switch (packet[0] & 0xff) {
                case PacketType.HANDSHAKE_INIT -> onInit(from, packet);
                case PacketType.HANDSHAKE_RESPONSE -> onResponse(from, packet);
                case PacketType.HANDSHAKE_FINISH -> onFinish(from, packet);
                case PacketType.SESSION_DATA -> onData(from, packet);
                default -> stats.increment(Counter.UNKNOWN_TYPE_DROPPED);
            }
        } catch (ShortBufferException e) {
            stats.increment(Counter.MALFORMED);
        } catch (BadPaddingException e) {
            // a Diffie-Hellman with a small-order key from the peer gave zero
            stats.increment(Counter.HANDSHAKE_FAILED);
        } catch (RuntimeException e) {
            internalError("receive from " + from, e);
        }
    }

    /** The session this node sends on to {@code peer}, if one is established. Call on the event thread. */
    public Optional<SessionInfo> session(NodeId peer) {
        return sessions.info(peer);
    }

    /** Sessions held (current and older, all peers). From another thread, a possibly stale count. */
    public int sessionCount() {
        return sessions.sessionCount();
    }

    /** Peers with session state. From another thread, a possibly stale count. */
    public int peerCount() {
        return sessions.peerCount();
    }

    /** Handshakes in progress (both roles). From another thread, a possibly stale count. */
    public int pendingHandshakes() {
        return pendingOrder.size();
    }

    /** Stops timers and forgets every session; the datagram transport stays open (its owner closes it). */
    @Override
    public void close() {
        if (!scheduler.inEventThread()) {
            scheduler.execute(this::close);
            return;
        }
        closed = true;
        if (sweepTimer != null) {
            sweepTimer.cancel();
        }
        for (PendingHandshake p : new ArrayList<>(pendingOrder)) {
            removePending(p);
        }
        answered.clear();
        sessions.clear();
    }

    // ---------------------------------------------------------------------------------------------------- sending

    private boolean validMessage(byte[] message) {
        if (message == null || message.length == 0 || message.length > MAX_MESSAGE) {
            stats.increment(Counter.INVALID_SEND_DROPPED);
            if (message != null && message.length > MAX_MESSAGE) {
                LOG.warn("refusing to send a {}-byte message (max {})", message.length, MAX_MESSAGE);
            }
            return false;
        }
        return true;
    }

    private void sendNow(Contact to, byte[] message) {
        if (closed || !validMessage(message)) {
            return;
        }
        NodeId id = to.id();
        if (id.equals(identity.id())) {
            stats.increment(Counter.INVALID_SEND_DROPPED);
            return;
        }
        if (deferPeer != null && deferPeer.equals(id)) {
            defer(message);
            return;
        }
        long now = scheduler.nowMillis();
        SecureSession s = sessions.sendableTo(id, now);
        if (s != null && !stale(s, now)) {
            sendOn(s, message);
            maybeRekey(s);
            return;
        }
        PendingHandshake p = pendingIkByPeer.get(id);
        if (p != null) {
            enqueue(p, message);
            return;
        }
        if (s != null) {
            stats.increment(Counter.STALE_REHANDSHAKES);
        }
        byte[] peerKey = to.publicKey();
        if (!NodeId.ofPublicKey(peerKey).equals(id) || x25519Of(id, peerKey) == null) {
            stats.increment(Counter.INVALID_PEER_KEY);
            return;
        }
        if (!IdProofOfWork.satisfies(id, config.idDifficultyBits())) {
            stats.increment(Counter.WEAK_ID_DROPPED);
            return;
        }
        // a stale session's address is where the peer was last authenticated (it may be behind a NAT)
        p = new PendingHandshake(true, PATTERN_IK, to, s != null ? s.address : to.address());
        if (message.length <= MAX_IK_PIGGYBACK) {
            p.piggyback = message;
        } else {
            p.queue.add(message);
        }
        pendingIkByPeer.put(id, p);
        stats.increment(Counter.HANDSHAKES_INITIATED);
        begin(p);
    }

    private void sendToAddressNow(InetSocketAddress to, byte[] message) {
        if (closed || !validMessage(message)) {
            return;
        }
        if (deferAddress != null && deferAddress.equals(to)) {
            defer(message);
            return;
        }
        NodeId known = sessions.peerAt(to);
        long now = scheduler.nowMillis();
        SecureSession s = known == null ? null : sessions.sendableTo(known, now);
        if (s != null && s.address.equals(to) && !stale(s, now)) {
            sendOn(s, message);
            maybeRekey(s);
            return;
        }
        PendingHandshake p = pendingXxByAddress.get(to);
        if (p != null) {
            enqueue(p, message);
            return;
        }
        p = new PendingHandshake(true, PATTERN_XX, null, to);
        p.queue.add(message);
        pendingXxByAddress.put(to, p);
        stats.increment(Counter.HANDSHAKES_INITIATED);
        begin(p);
    }

    private void defer(byte[] message) {
        if (deferred.size() >= config.maxQueuedPerHandshake()) {
            stats.increment(Counter.QUEUED_MESSAGES_DROPPED);
            return;
        }
        deferred.add(message);
    }

    private void enqueue(PendingHandshake p, byte[] message) {
        if (p.queue.size() >= config.maxQueuedPerHandshake()) {
            stats.increment(Counter.QUEUED_MESSAGES_DROPPED);
            return;
        }
        p.queue.add(message);
    }

    /**
     * A session is stale when a message sent on it after the peer had been silent for one handshake lifetime has had
     * no answer of any kind for another: the peer may have restarted and lost the session, so the next message goes
     * with a new handshake instead (as WireGuard does after its keepalive timeout). Sends soon after a receipt are
     * taken for replies and start no such clock. Every DHT message is a request or a reply, so a live peer answers.
     */
    private boolean stale(SecureSession s, long now) {
        return s.unansweredSinceMillis != SecureSession.ANSWERED
                && now - s.unansweredSinceMillis >= config.handshakeLifetime().toMillis();
    }

    private void sendOn(SecureSession s, byte[] message) {
        long nonce = s.sendNonce++;
        byte[] out = new byte[DATA_HEADER + message.length + TAG];
        out[0] = (byte) PacketType.SESSION_DATA;
        putInt(out, 1, s.remoteIndex);
        putLong(out, 5, nonce);
        s.sender.setNonce(nonce);
        try {
            s.sender.encryptWithAd(Arrays.copyOf(out, DATA_HEADER), message, 0, out, DATA_HEADER, message.length);
        } catch (ShortBufferException e) {
            throw new IllegalStateException("session packet buffer too small", e);
        }
        s.lastUsedMillis = scheduler.nowMillis();
        if (message.length > 0) {
            stats.increment(Counter.MESSAGES_SENT);
            long now = s.lastUsedMillis;
            if (s.unansweredSinceMillis == SecureSession.ANSWERED
                    && now - s.lastReceivedMillis >= config.handshakeLifetime().toMillis()) {
                s.unansweredSinceMillis = now;
            }
        }
        datagrams.send(s.address, out);
    }

    /**
     * Starts a new IK handshake when {@code s} is old or has used many nonces. The session's initiator rekeys first;
     * the responder waits one more handshake lifetime, so that both ends rarely rekey at once.
     */
    private void maybeRekey(SecureSession s) {
        long age = scheduler.nowMillis() - s.establishedMillis;
        long due = config.rekeyAfter().toMillis() + (s.initiatedByUs ? 0 : config.handshakeLifetime().toMillis());
        if ((age >= due || s.sendNonce >= config.rekeyAfterMessages()) && !pendingIkByPeer.containsKey(s.peerId)) {
            PendingHandshake p = new PendingHandshake(true, PATTERN_IK, new Contact(s.peerId, s.peerKey, s.address),
                    s.address);
            pendingIkByPeer.put(s.peerId, p);
            stats.increment(Counter.REKEYS);
            stats.increment(Counter.HANDSHAKES_INITIATED);
            begin(p);
        }
    }

    // ---------------------------------------------------------------------------------------------------- initiator

    /**
     * Sends the first handshake packet of {@code p} with a fresh handshake state (new ephemeral key, new index) and
     * arms its retransmission timer. Called once per handshake, and again only if a forged or corrupted answer spent
     * the state.
     */
    private void begin(PendingHandshake p) {
        int index = newIndex();
        if (p.attemptCount == 0) {
            pendingOrder.add(p);
            evictPendingIfNeeded(p);
        }
        p.attemptCount++;
        byte[] header = new byte[INIT_HEADER];
        header[0] = (byte) PacketType.HANDSHAKE_INIT;
        header[1] = (byte) VERSION;
        header[2] = (byte) p.pattern;
        putInt(header, 3, index);
        byte[] payload;
        NoiseHandshake hs;
        if (p.pattern == PATTERN_IK) {
            hs = new NoiseHandshake(NoiseHandshake.Pattern.IK, true, prologue(header), localX25519Private,
                    localX25519Public, x25519Of(p.peer.id(), p.peer.publicKey()), null);
            byte[] m = p.piggyback != null ? p.piggyback : new byte[0];
            payload = new byte[KEY + TIMESTAMP + m.length];
            System.arraycopy(localPublicKey, 0, payload, 0, KEY);
            putLong(payload, KEY, nextTimestamp());
            System.arraycopy(m, 0, payload, KEY + TIMESTAMP, m.length);
        } else {
            hs = new NoiseHandshake(NoiseHandshake.Pattern.XX, true, prologue(header), localX25519Private,
                    localX25519Public, null, null);
            payload = new byte[0];
        }
        p.hs = hs;
        p.index = index;
        pendingByIndex.put(index, p);
        byte[] out = new byte[DatagramTransport.MAX_DATAGRAM];
        System.arraycopy(header, 0, out, 0, INIT_HEADER);
        int n;
        try {
            n = write(hs, out, INIT_HEADER, payload);
        } catch (BadPaddingException e) {
            // cannot happen: the peer's key was validated as a prime-order point when converted
            throw new IllegalStateException("X25519 with a validated key gave zero", e);
        }
        if (p.piggyback != null && p.attemptCount == 1) {
            stats.increment(Counter.MESSAGES_SENT);
        }
        p.init = Arrays.copyOf(out, INIT_HEADER + n);
        datagrams.send(p.address, p.init.clone());
        armRetransmit(p);
    }

    /** Back off: an overloaded peer answers late, so each wait is twice the one before. */
    private void armRetransmit(PendingHandshake p) {
        Duration wait = config.handshakeRetransmit().multipliedBy(1L << (p.attemptCount - 1));
        p.timer = scheduler.schedule(wait, () -> onHandshakeTimer(p));
    }

    private void onHandshakeTimer(PendingHandshake p) {
        if (!pendingOrder.contains(p) || p.completed) {
            return;
        }
        if (p.attemptCount >= config.handshakeAttempts()) {
            stats.increment(Counter.HANDSHAKE_TIMEOUTS);
            stats.add(Counter.QUEUED_MESSAGES_DROPPED, p.queuedCount());
            LOG.debug("handshake to {} timed out after {} attempts", p.address, p.attemptCount);
            removePending(p);
            return;
        }
        stats.increment(Counter.HANDSHAKE_RETRANSMITS);
        if (p.hs == null) {
            // a forged or corrupted answer spent the state: start over
            begin(p);
            return;
        }
        // the same bytes again: the state still matches, and a peer that answered the first copy (its answer lost
        // or still on its way) answers this one from its cache instead of doing the handshake again
        p.attemptCount++;
        datagrams.send(p.address, p.init.clone());
        armRetransmit(p);
    }

    private void onResponse(InetSocketAddress from, byte[] packet) throws BadPaddingException {
        if (packet.length < RESPONSE_HEADER + KEY + TAG) {
            stats.increment(Counter.MALFORMED);
            return;
        }
        if ((packet[1] & 0xff) != VERSION) {
            stats.increment(Counter.BAD_VERSION);
            return;
        }
        int remoteIndex = getInt(packet, 2);
        int localIndex = getInt(packet, 6);
        PendingHandshake p = pendingByIndex.get(localIndex);
        if (p == null || !p.initiator) {
            stats.increment(Counter.HANDSHAKE_UNKNOWN);
            return;
        }
        if (p.completed) {
            // the peer answered a retransmitted copy of the INIT again: the handshake is already done
            stats.increment(Counter.DUPLICATE_RESPONSES_DROPPED);
            return;
        }
        NoiseHandshake hs = p.hs;
        byte[] payload;
        try {
            payload = read(hs, packet, RESPONSE_HEADER);
        } catch (BadPaddingException e) {
            // the state is spent; the retransmission timer starts a fresh one
            stats.increment(Counter.HANDSHAKE_FAILED);
            spend(p);
            return;
        }
        if (p.pattern == PATTERN_IK) {
            NoiseHandshake.Split keys = hs.split();
            complete(p);
            SecureSession s = new SecureSession(localIndex, remoteIndex, p.peer.id(), p.peer.publicKey(), from,
                    keys.sender(), keys.receiver(), identity.id(), true, scheduler.nowMillis());
            s.confirmed = true;
            stats.increment(Counter.HANDSHAKES_COMPLETED);
            install(s);
            if (payload.length > 0) {
                deliver(s, from, payload);
            }
            flush(p, s);
            confirmLater(s);
            return;
        }
        // XX: the responder's payload is its Ed25519 key
        if (payload.length != KEY) {
            stats.increment(Counter.MALFORMED);
            spend(p);
            return;
        }
        byte[] edKey = Arrays.copyOf(payload, KEY);
        NodeId peerId = authenticatePeer(edKey, hs);
        if (peerId == null) {
            stats.add(Counter.QUEUED_MESSAGES_DROPPED, p.queuedCount());
            removePending(p);
            return;
        }
        byte[] first = !p.queue.isEmpty() && p.queue.peek().length <= MAX_XX_PIGGYBACK ? p.queue.poll() : new byte[0];
        byte[] finishPayload = new byte[KEY + first.length];
        System.arraycopy(localPublicKey, 0, finishPayload, 0, KEY);
        System.arraycopy(first, 0, finishPayload, KEY, first.length);
        byte[] out = new byte[FINISH_HEADER + KEY + TAG + finishPayload.length + TAG];
        out[0] = (byte) PacketType.HANDSHAKE_FINISH;
        out[1] = (byte) VERSION;
        putInt(out, 2, remoteIndex);
        write(hs, out, FINISH_HEADER, finishPayload);
        NoiseHandshake.Split keys = hs.split();
        complete(p);
        SecureSession s = new SecureSession(localIndex, remoteIndex, peerId, edKey, from, keys.sender(),
                keys.receiver(), identity.id(), true, scheduler.nowMillis());
        stats.increment(Counter.HANDSHAKES_COMPLETED);
        install(s);
        if (first.length > 0) {
            stats.increment(Counter.MESSAGES_SENT);
            s.lastUsedMillis = scheduler.nowMillis();
        }
        datagrams.send(from, out);
        flush(p, s);
    }

    /**
     * Our handshake {@code p} completed: later sends use the session. If the INIT was retransmitted, the peer may
     * answer a copy too, so its index stays known (without key material or packets, and no longer counted as in
     * progress) for one handshake lifetime, and such copies are recognised as duplicates.
     */
    private void complete(PendingHandshake p) {
        p.completed = true;
        p.hs = null;
        p.init = null;
        p.piggyback = null;
        pendingOrder.remove(p);
        if (p.pattern == PATTERN_IK) {
            pendingIkByPeer.remove(p.peer.id(), p);
        } else {
            pendingXxByAddress.remove(p.address, p);
        }
        p.timer.cancel();
        if (p.attemptCount > 1) {
            p.timer = scheduler.schedule(config.handshakeLifetime(), () -> removePending(p));
        } else {
            removePending(p);
        }
    }

    private void flush(PendingHandshake p, SecureSession s) {
        while (!p.queue.isEmpty()) {
            sendOn(s, p.queue.poll());
        }
    }

    // ---------------------------------------------------------------------------------------------------- responder

    private void onInit(InetSocketAddress from, byte[] packet) throws BadPaddingException {
        if (packet.length < INIT_HEADER + KEY) {
            stats.increment(Counter.MALFORMED);
            return;
        }
        if ((packet[1] & 0xff) != VERSION) {
            stats.increment(Counter.BAD_VERSION);
            return;
        }
        int pattern = packet[2] & 0xff;
        if (pattern == PATTERN_IK && packet.length < INIT_HEADER + KEY + (KEY + TAG) + (KEY + TIMESTAMP + TAG)
                || pattern == PATTERN_XX && packet.length != INIT_HEADER + KEY
                || pattern != PATTERN_IK && pattern != PATTERN_XX) {
            stats.increment(Counter.MALFORMED);
            return;
        }
        long now = scheduler.nowMillis();
        // an answer from the cache is an answer too: it counts against the source's rate
        if (!rateLimiter.tryAcquire(from.getAddress(), now)) {
            stats.increment(Counter.HANDSHAKE_RATE_LIMITED);
            return;
        }
        ByteBuffer key = AnsweredInits.key(packet);
        AnsweredInits.Answer copyOf = answered.get(key, now);
        if (copyOf != null && answerAgain(from, key, copyOf, pattern)) {
            return;
        }
        int remoteIndex = getInt(packet, 3);
        byte[] header = Arrays.copyOf(packet, INIT_HEADER);
        NoiseHandshake hs = new NoiseHandshake(pattern == PATTERN_IK ? NoiseHandshake.Pattern.IK
                : NoiseHandshake.Pattern.XX, false, prologue(header), localX25519Private, localX25519Public, null,
                null);
        byte[] payload;
        try {
            payload = read(hs, packet, INIT_HEADER);
        } catch (BadPaddingException e) {
            stats.increment(Counter.HANDSHAKE_FAILED);
            hs.destroy();
            return;
        }
        if (pattern == PATTERN_XX) {
            respondXx(from, hs, remoteIndex, key);
        } else {
            respondIk(from, hs, remoteIndex, payload, key);
        }
    }

    /**
     * An exact copy of an INIT this node answered within the last handshake lifetime: the initiator retransmitted it
     * because our answer was lost or late (or someone replays it). While the handshake it opened is unconfirmed, the
     * copy is answered with the same RESPONSE bytes, at most {@code handshakeAttempts - 1} times and only to the
     * address the INIT came from: no Diffie-Hellman, no second session, no second delivery of its message. An IK copy
     * is a replay as far as the peer's timestamps go and is counted as one (answered or not, it opens nothing); an XX
     * copy that is not answered again is handled as a new INIT (it carries nothing a replay could repeat). Returns
     * whether the copy was dealt with.
     */
    private boolean answerAgain(InetSocketAddress from, ByteBuffer key, AnsweredInits.Answer a, int pattern) {
        boolean open = pattern == PATTERN_IK ? !a.session.confirmed : pendingOrder.contains(a.xx) && a.xx.hs != null;
        boolean again = open && a.from.equals(from) && a.resends < config.handshakeAttempts() - 1;
        if (pattern == PATTERN_IK) {
            stats.increment(Counter.HANDSHAKE_REPLAYED);
        } else if (!again) {
            answered.remove(key);
            return false;
        }
        if (again) {
            a.resends++;
            stats.increment(Counter.HANDSHAKE_RESPONSES_RESENT);
            datagrams.send(from, a.response.clone());
        }
        return true;
    }

    private void respondIk(InetSocketAddress from, NoiseHandshake hs, int remoteIndex, byte[] payload,
                           ByteBuffer initKey) throws BadPaddingException {
        int n = payload.length;
        if (n < KEY + TIMESTAMP) {
            stats.increment(Counter.MALFORMED);
            hs.destroy();
            return;
        }
        byte[] edKey = Arrays.copyOf(payload, KEY);
        NodeId peerId = authenticatePeer(edKey, hs);
        if (peerId == null) {
            hs.destroy();
            return;
        }
        long timestamp = getLong(payload, KEY);
        Long last = lastInitTimestamp.get(peerId);
        if (last != null && timestamp <= last) {
            stats.increment(Counter.HANDSHAKE_REPLAYED);
            hs.destroy();
            return;
        }
        lastInitTimestamp.put(peerId, timestamp);
        // deliver first, collecting the handler's replies to this peer so the first can ride on the response
        List<byte[]> replies = new ArrayList<>(1);
        if (n > KEY + TIMESTAMP) {
            deferPeer = peerId;
            deferAddress = from;
            deferred = replies;
            try {
                deliver(peerId, edKey, from, Arrays.copyOfRange(payload, KEY + TIMESTAMP, n));
            } finally {
                deferPeer = null;
                deferAddress = null;
                deferred = null;
            }
        }
        byte[] first = replies.isEmpty() ? new byte[0] : replies.remove(0);
        int localIndex = newIndex();
        byte[] out = new byte[RESPONSE_HEADER + KEY + first.length + TAG];
        out[0] = (byte) PacketType.HANDSHAKE_RESPONSE;
        out[1] = (byte) VERSION;
        putInt(out, 2, localIndex);
        putInt(out, 6, remoteIndex);
        write(hs, out, RESPONSE_HEADER, first);
        NoiseHandshake.Split keys = hs.split();
        SecureSession s = new SecureSession(localIndex, remoteIndex, peerId, edKey, from, keys.sender(),
                keys.receiver(), peerId, false, scheduler.nowMillis());
        stats.increment(Counter.HANDSHAKES_ACCEPTED);
        install(s);
        if (first.length > 0) {
            stats.increment(Counter.MESSAGES_SENT);
        }
        answered.put(initKey, new AnsweredInits.Answer(from, out, s.establishedMillis
                + config.handshakeLifetime().toMillis(), s, null));
        datagrams.send(from, out.clone());
        for (byte[] m : replies) {
            sendOn(s, m);
        }
    }

    private void respondXx(InetSocketAddress from, NoiseHandshake hs, int remoteIndex, ByteBuffer initKey)
            throws BadPaddingException {
        PendingHandshake p = new PendingHandshake(false, PATTERN_XX, null, from);
        p.remoteIndex = remoteIndex;
        p.attemptCount = 1;
        int index = newIndex();
        byte[] out = new byte[RESPONSE_HEADER + KEY + (KEY + TAG) + (KEY + TAG)];
        out[0] = (byte) PacketType.HANDSHAKE_RESPONSE;
        out[1] = (byte) VERSION;
        putInt(out, 2, index);
        putInt(out, 6, remoteIndex);
        write(hs, out, RESPONSE_HEADER, localPublicKey);
        p.hs = hs;
        p.index = index;
        pendingByIndex.put(index, p);
        pendingOrder.add(p);
        evictPendingIfNeeded(p);
        p.timer = scheduler.schedule(config.handshakeLifetime(), () -> {
            if (pendingOrder.contains(p)) {
                removePending(p);
            }
        });
        answered.put(initKey, new AnsweredInits.Answer(from, out, scheduler.nowMillis()
                + config.handshakeLifetime().toMillis(), null, p));
        datagrams.send(from, out.clone());
    }

    private void onFinish(InetSocketAddress from, byte[] packet) throws BadPaddingException {
        if (packet.length < FINISH_HEADER + (KEY + TAG) + (KEY + TAG)) {
            stats.increment(Counter.MALFORMED);
            return;
        }
        if ((packet[1] & 0xff) != VERSION) {
            stats.increment(Counter.BAD_VERSION);
            return;
        }
        int localIndex = getInt(packet, 2);
        PendingHandshake p = pendingByIndex.get(localIndex);
        NoiseHandshake hs = p == null ? null : p.hs;
        if (hs == null || p.initiator) {
            stats.increment(Counter.HANDSHAKE_UNKNOWN);
            return;
        }
        byte[] payload;
        try {
            payload = read(hs, packet, FINISH_HEADER);
        } catch (BadPaddingException e) {
            stats.increment(Counter.HANDSHAKE_FAILED);
            removePending(p);
            return;
        }
        int n = payload.length;
        if (n < KEY) {
            stats.increment(Counter.MALFORMED);
            removePending(p);
            return;
        }
        byte[] edKey = Arrays.copyOf(payload, KEY);
        NodeId peerId = authenticatePeer(edKey, hs);
        if (peerId == null) {
            removePending(p);
            return;
        }
        NoiseHandshake.Split keys = hs.split();
        removePending(p);
        SecureSession s = new SecureSession(localIndex, p.remoteIndex, peerId, edKey, from, keys.sender(),
                keys.receiver(), peerId, false, scheduler.nowMillis());
        s.confirmed = true;
        stats.increment(Counter.HANDSHAKES_ACCEPTED);
        install(s);
        if (n > KEY) {
            deliver(s, from, Arrays.copyOfRange(payload, KEY, n));
        }
        confirmLater(s);
    }

    /**
     * The peer's end of {@code s} stays unconfirmed until something arrives on it; if nothing has been sent on it one
     * retransmit interval from now, an empty packet confirms it (as WireGuard's keepalive), so the peer can use the
     * session later instead of starting a handshake of its own.
     */
    private void confirmLater(SecureSession s) {
        scheduler.schedule(config.handshakeRetransmit(), () -> {
            if (!closed && s.sendNonce == 0 && sessions.byIndex(s.localIndex) == s
                    && sessions.sendable(s, scheduler.nowMillis())) {
                stats.increment(Counter.KEEPALIVES_SENT);
                sendOn(s, new byte[0]);
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------- sessions

    private void onData(InetSocketAddress from, byte[] packet) throws ShortBufferException {
        if (packet.length < DATA_HEADER + TAG) {
            stats.increment(Counter.MALFORMED);
            return;
        }
        SecureSession s = sessions.byIndex(getInt(packet, 1));
        if (s == null) {
            stats.increment(Counter.UNKNOWN_SESSION);
            return;
        }
        long now = scheduler.nowMillis();
        if (sessions.tooOld(s, now)) {
            stats.increment(Counter.EXPIRED_SESSION);
            return;
        }
        long nonce = getLong(packet, 5);
        if (!s.replay.check(nonce)) {
            stats.increment(Counter.REPLAYED);
            return;
        }
        byte[] plain = new byte[packet.length - DATA_HEADER - TAG];
        s.receiver.setNonce(nonce);
        try {
            s.receiver.decryptWithAd(Arrays.copyOf(packet, DATA_HEADER), packet, DATA_HEADER, plain, 0,
                    packet.length - DATA_HEADER);
        } catch (BadPaddingException e) {
            stats.increment(Counter.BAD_MAC);
            return;
        }
        s.replay.update(nonce);
        s.lastUsedMillis = now;
        s.confirmed = true;
        sessions.received(s, now);
        if (!s.address.equals(from)) {
            sessions.roam(s, from);
        }
        if (plain.length == 0) {
            stats.increment(Counter.KEEPALIVES_RECEIVED);
            return;
        }
        deliver(s, from, plain);
    }

    private void install(SecureSession s) {
        SecureSession current = sessions.install(s, scheduler.nowMillis());
        ensureSweep();
        // messages waiting behind our own handshake to this peer need not wait any longer
        PendingHandshake p = pendingIkByPeer.get(s.peerId);
        if (p != null && !p.queue.isEmpty()) {
            flush(p, current);
        }
    }

    private void evictPendingIfNeeded(PendingHandshake keep) {
        while (pendingOrder.size() > config.maxPendingHandshakes()) {
            PendingHandshake eldest = pendingOrder.iterator().next();
            if (eldest == keep) {
                return;
            }
            stats.increment(Counter.PENDING_EVICTED);
            stats.add(Counter.QUEUED_MESSAGES_DROPPED, eldest.queuedCount());
            removePending(eldest);
        }
    }

    /** A message that failed to authenticate consumed the state of our handshake {@code p}. */
    private void spend(PendingHandshake p) {
        pendingByIndex.remove(p.index);
        if (p.hs != null) {
            p.hs.destroy();
            p.hs = null;
        }
        p.init = null;
    }

    private void removePending(PendingHandshake p) {
        pendingOrder.remove(p);
        if (p.timer != null) {
            p.timer.cancel();
        }
        if (pendingByIndex.get(p.index) == p) {
            pendingByIndex.remove(p.index);
        }
        if (p.hs != null) {
            p.hs.destroy();
            p.hs = null;
        }
        p.init = null;
        if (p.initiator) {
            if (p.pattern == PATTERN_IK) {
                pendingIkByPeer.remove(p.peer.id(), p);
            } else {
                pendingXxByAddress.remove(p.address, p);
            }
        }
    }

    private void ensureSweep() {
        if (sweepTimer == null && !closed) {
            long periodMillis = Math.max(1000, Math.min(config.idleTimeout().toMillis(),
                    config.rejectAfter().toMillis()) / 4);
            sweepTimer = scheduler.schedule(Duration.ofMillis(periodMillis), this::sweep);
        }
    }

    /** Discards sessions past their reject-after age or idle too long; reschedules itself while sessions remain. */
    private void sweep() {
        sweepTimer = null;
        answered.expire(scheduler.nowMillis());
        if (!closed && sessions.sweep(scheduler.nowMillis())) {
            ensureSweep();
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private void deliver(SecureSession s, InetSocketAddress from, byte[] message) {
        deliver(s.peerId, s.peerKey, from, message);
    }

    private void deliver(NodeId peerId, byte[] peerKey, InetSocketAddress from, byte[] message) {
        stats.increment(Counter.MESSAGES_RECEIVED);
        MessageHandler h = handler;
        if (h == null) {
            stats.increment(Counter.NO_RECEIVER_DROPPED);
            return;
        }
        try {
            h.onMessage(new Contact(peerId, peerKey, from), message);
        } catch (RuntimeException e) {
            stats.increment(Counter.HANDLER_ERRORS);
            LOG.warn("message handler failed on a message from {}", peerId.shortHex(), e);
        }
    }

    /**
     * Checks the Ed25519 key a handshake payload claims against the X25519 static key the handshake authenticated, and
     * the id's proof of work. Returns the peer's id, or null (counted) when it fails.
     */
    private NodeId authenticatePeer(byte[] edKey, NoiseHandshake hs) {
        NodeId id = NodeId.ofPublicKey(edKey);
        byte[] x = x25519Of(id, edKey);
        if (x == null || id.equals(identity.id())) {
            stats.increment(Counter.INVALID_PEER_KEY);
            return null;
        }
        byte[] remoteStatic = hs.remoteStaticKey();
        if (remoteStatic == null || !MessageDigest.isEqual(x, remoteStatic)) {
            stats.increment(Counter.HANDSHAKE_KEY_MISMATCH);
            return null;
        }
        if (!IdProofOfWork.satisfies(id, config.idDifficultyBits())) {
            stats.increment(Counter.WEAK_ID_DROPPED);
            return null;
        }
        return id;
    }

    /** The X25519 key of a peer's Ed25519 key (cached: the conversion validates the point), or null if invalid. */
    private byte[] x25519Of(NodeId id, byte[] edKey) {
        byte[] x = x25519Cache.get(id);
        if (x == null) {
            try {
                x = X25519Keys.publicKeyFromEd25519(edKey);
            } catch (IllegalArgumentException e) {
                x = new byte[0];
            }
            x25519Cache.put(id, x);
        }
        return x.length == 0 ? null : x;
    }

    /** Reads a handshake message from {@code packet} at {@code offset}, counting its Diffie-Hellman work. */
    private byte[] read(NoiseHandshake hs, byte[] packet, int offset) throws BadPaddingException {
        try {
            return hs.readMessage(packet, offset, packet.length - offset);
        } finally {
            stats.add(Counter.KEY_AGREEMENTS, hs.takeAgreements());
        }
    }

    /** Writes the next handshake message, counting its Diffie-Hellman work; returns its length. */
    private int write(NoiseHandshake hs, byte[] out, int offset, byte[] payload) throws BadPaddingException {
        try {
            return NoiseWire.write(hs, out, offset, payload);
        } finally {
            stats.add(Counter.KEY_AGREEMENTS, hs.takeAgreements());
        }
    }

    /** A strictly increasing handshake timestamp (ms), so a peer can refuse replayed initiations. */
    private long nextTimestamp() {
        lastSentTimestamp = Math.max(scheduler.nowMillis(), lastSentTimestamp + 1);
        return lastSentTimestamp;
    }

    private int newIndex() {
        int i;
        do {
            i = random.nextInt();
        } while (i == 0 || sessions.containsIndex(i) || pendingByIndex.containsKey(i));
        return i;
    }

    private void internalError(String what, RuntimeException e) {
        stats.increment(Counter.INTERNAL_ERRORS);
        LOG.warn("secure transport: unexpected failure in {}", what, e);
    }
}
