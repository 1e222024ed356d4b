package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroCodec;
import org.p2pdns.node.intro.IntroDecodeException;
import org.p2pdns.node.intro.IntroError;
import org.p2pdns.node.intro.IntroMessage;
import org.p2pdns.node.intro.PeerInfo;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.transport.DatagramTransport;

/**
 * A node's side of the introduction protocol: registers (signed) with one introduction server at a time, moving to
 * the next when one stops answering, refreshes the registration (which also keeps the NAT mapping towards the server
 * open), fetches peers, asks for rendezvous and relays datagrams. To reach a peer registered only at another server,
 * it also holds on-demand <em>guest</em> registrations there (at most {@code maxGuests}, each dropped once idle for
 * {@code guestIdle}); pushes (PUNCH_NOW, RELAYED) are accepted from the current server and from guest servers only.
 * A reply is trusted only if its request id, its source (the server asked) and its type match the request. Event
 * thread only.
 */
public final class IntroClient {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IntroClient.class);

    /** What the server pushes without being asked. Called on the event thread. */
    public interface Listener {
        /** The server introduced a peer that wants to reach us: punch towards it now. */
        void onPunchNow(InetSocketAddress server, IntroMessage.PunchNow punch);

        /** A datagram relayed from {@code from}. */
        void onRelayed(InetSocketAddress server, NodeId from, byte[] payload);

        /** A registration (first or refresh) was accepted. */
        default void onRegistered(Registration registration) {
        }
    }

    /** The current registration. */
    public record Registration(InetSocketAddress server, InetSocketAddress observed, int ttlSeconds, long cookie,
                               List<PeerInfo> peers, long atMillis) {
    }

    private final class Pending {
        final InetSocketAddress server;
        final byte[] packet;
        final int expectedType;
        final CompletableFuture<IntroMessage> result = new CompletableFuture<>();
        Cancellable timer;
        int sent;

        Pending(InetSocketAddress server, byte[] packet, int expectedType) {
            this.server = server;
            this.packet = packet;
            this.expectedType = expectedType;
        }
    }

    private final IntroClientConfig config;
    private final Ed25519PrivateKeyParameters key;
    private final NodeId self;
    private final Scheduler scheduler;
    private final DatagramTransport transport;
    private final Random random;
    private final Supplier<List<InetSocketAddress>> locals;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final CompletableFuture<Registration> firstRegistration = new CompletableFuture<>();
    private Listener listener = new Listener() {
        @Override
        public void onPunchNow(InetSocketAddress server, IntroMessage.PunchNow punch) {
        }

        @Override
        public void onRelayed(InetSocketAddress server, NodeId from, byte[] payload) {
        }
    };
    private int serverIndex;
    private Registration registration;
    private long lastTimestamp;
    private Cancellable refresh;
    private boolean running;
    private long dropped;
    private long failovers;
    private final GuestRegistrations guests;

    /** {@code locals} supplies the endpoints to advertise (bound addresses, a UPnP mapping) at each registration. */
    public IntroClient(IntroClientConfig config, Ed25519PrivateKeyParameters key, Scheduler scheduler,
                       DatagramTransport transport, Random random, Supplier<List<InetSocketAddress>> locals) {
        this.config = config;
        this.key = key;
        this.self = NodeId.ofPublicKey(key.generatePublicKey().getEncoded());
        this.scheduler = scheduler;
        this.transport = transport;
        this.random = random;
        this.locals = locals;
        this.guests = new GuestRegistrations(config, scheduler, this::registerGuest);
    }

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    public NodeId nodeId() {
        return self;
    }

    /** Starts registering (nothing happens without servers: a node that knows peers needs none). */
    public void start() {
        if (running || config.servers().isEmpty()) {
            return;
        }
        running = true;
        registerNow();
    }

    public void stop() {
        running = false;
        if (refresh != null) {
            refresh.cancel();
        }
        guests.stop();
        for (Pending p : pending.values()) {
            p.timer.cancel();
            p.result.completeExceptionally(new IllegalStateException("intro client stopped"));
        }
        pending.clear();
    }

    /** Completes with the first successful registration (never, if no server answers). */
    public CompletableFuture<Registration> firstRegistration() {
        return firstRegistration;
    }

    /** The current registration, or null. */
    public Registration registration() {
        return registration;
    }

    /** Registrations that moved to the next server because one stopped answering. */
    public long failovers() {
        return failovers;
    }

    /** Intro packets dropped (malformed, unsolicited, from the wrong source). */
    public long dropped() {
        return dropped;
    }

    /** Re-registers at once (for example when the advertised endpoints changed). */
    public void registerNow() {
        if (!running) {
            return;
        }
        if (refresh != null) {
            refresh.cancel();
        }
        InetSocketAddress server = config.servers().get(serverIndex);
        long cookie = registration != null && registration.server().equals(server) ? registration.cookie() : 0;
        lastTimestamp = Math.max(scheduler.nowMillis(), lastTimestamp + 1);
        List<InetSocketAddress> eps = locals.get();
        if (eps.size() > PeerInfo.MAX_LOCALS) {
            eps = eps.subList(0, PeerInfo.MAX_LOCALS);
        }
        IntroMessage.Register r = IntroCodec.signRegister(key, random.nextLong(), lastTimestamp, config.wantPeers(),
                cookie, eps);
        request(server, r.requestId(), IntroCodec.encode(r), IntroCodec.REGISTERED).whenComplete((m, e) -> {
            if (!running) {
                return;
            }
            if (e == null) {
                IntroMessage.Registered g = (IntroMessage.Registered) m;
                boolean first = registration == null;
                registration = new Registration(server, g.observed(), g.ttlSeconds(), g.cookie(), g.peers(),
                        scheduler.nowMillis());
                guests.forget(server); // the main registration now covers that server
                if (first && cookie == 0 && g.peers().size() < config.wantPeers()) {
                    // the first reply to an unproven address is cut short: prove it right away for a full sample
                    scheduleRefresh(Duration.ZERO);
                } else {
                    scheduleRefresh(refreshDelay(g.ttlSeconds()));
                }
                listener.onRegistered(registration);
                firstRegistration.complete(registration);
            } else if (unwrap(e) instanceof TimeoutException) {
                failovers++;
                serverIndex = (serverIndex + 1) % config.servers().size();
                LOG.debug("intro server {} did not answer; trying {}", server, config.servers().get(serverIndex));
                scheduleRefresh(Duration.ZERO);
            } else {
                LOG.warn("registration with {} refused: {}", server, unwrap(e).getMessage());
                serverIndex = (serverIndex + 1) % config.servers().size();
                scheduleRefresh(config.refreshInterval());
            }
        });
    }

    private Duration refreshDelay(int ttlSeconds) {
        return refreshDelay(ttlSeconds, config.refreshInterval());
    }

    /** When to refresh a registration of {@code ttlSeconds}: a third of it, at most {@code interval}. */
    static Duration refreshDelay(int ttlSeconds, Duration interval) {
        Duration third = Duration.ofMillis(ttlSeconds * 1000L / 3);
        return third.compareTo(interval) < 0 ? third : interval;
    }

    private void scheduleRefresh(Duration d) {
        if (refresh != null) {
            refresh.cancel();
        }
        refresh = scheduler.schedule(d, this::registerNow);
    }

    /** Asks the current server for up to {@code want} live peers. */
    public CompletableFuture<List<PeerInfo>> peers(int want) {
        Registration reg = registration;
        if (reg == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not registered"));
        }
        long id = random.nextLong();
        return request(reg.server(), id, IntroCodec.encode(new IntroMessage.PeersRequest(id, self, want,
                reg.cookie())), IntroCodec.PEERS).thenApply(m -> ((IntroMessage.Peers) m).peers());
    }

    /** Asks the current server to introduce us to {@code target}; completes with our PUNCH_NOW. */
    public CompletableFuture<IntroMessage.PunchNow> rendezvous(NodeId target) {
        Registration reg = registration;
        if (reg == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not registered"));
        }
        return rendezvous(reg.server(), target);
    }

    /**
     * Asks {@code server} (the current one or a guest server) to introduce us to {@code target}; completes with our
     * PUNCH_NOW, or exceptionally (an {@link IntroException} UNKNOWN_TARGET when the peer is not registered there).
     */
    public CompletableFuture<IntroMessage.PunchNow> rendezvous(InetSocketAddress server, NodeId target) {
        if (!isRegisteredAt(server)) {
            return CompletableFuture.failedFuture(new IllegalStateException("not registered at " + server));
        }
        touch(server);
        long id = random.nextLong();
        return request(server, id, IntroCodec.encode(new IntroMessage.Rendezvous(id, self, target)),
                IntroCodec.PUNCH_NOW).thenApply(m -> (IntroMessage.PunchNow) m);
    }

    /** Relays {@code payload} to {@code target} through the current server; false if not registered. */
    public boolean relay(NodeId target, byte[] payload) {
        Registration reg = registration;
        return reg != null && relay(reg.server(), target, payload);
    }

    /**
     * Relays {@code payload} to {@code target} through {@code server} (the current one or a guest server); false when
     * not registered there. A guest registration that was dropped is made again in the background (this datagram is
     * lost; the secure transport's retransmission follows).
     */
    public boolean relay(InetSocketAddress server, NodeId target, byte[] payload) {
        if (!isRegisteredAt(server)) {
            Registration reg = registration;
            if (running && reg != null && !guests.holds(server)) {
                ensureRegistered(server);
            }
            return false;
        }
        touch(server);
        transport.send(server, IntroCodec.encode(new IntroMessage.Relay(self, target, payload)));
        return true;
    }

    // ------------------------------------------------------------------ guest registrations

    /** True when this node is registered at {@code server}: its current registration or a live guest one. */
    public boolean isRegisteredAt(InetSocketAddress server) {
        Registration reg = registration;
        return reg != null && reg.server().equals(server) || guests.isRegistered(server);
    }

    /**
     * Completes once this node is registered at {@code server}: at once for the current server, else through a guest
     * registration (signed REGISTER asking for no peers; refreshes echo the server's address cookie). Fails when the
     * server refuses or does not answer, or when {@code maxGuests} guest registrations are held and none is idle
     * (counted, {@link #guestRefusals()}).
     */
    public CompletableFuture<Void> ensureRegistered(InetSocketAddress server) {
        Registration reg = registration;
        if (reg != null && reg.server().equals(server)) {
            return CompletableFuture.completedFuture(null);
        }
        if (!running) {
            return CompletableFuture.failedFuture(new IllegalStateException("intro client stopped"));
        }
        return guests.ensure(server);
    }

    private CompletableFuture<IntroMessage.Registered> registerGuest(InetSocketAddress server, long cookie) {
        lastTimestamp = Math.max(scheduler.nowMillis(), lastTimestamp + 1);
        List<InetSocketAddress> eps = locals.get();
        if (eps.size() > PeerInfo.MAX_LOCALS) {
            eps = eps.subList(0, PeerInfo.MAX_LOCALS);
        }
        IntroMessage.Register r = IntroCodec.signRegister(key, random.nextLong(), lastTimestamp, 0, cookie, eps);
        return request(server, r.requestId(), IntroCodec.encode(r), IntroCodec.REGISTERED)
                .handle((m, e) -> {
                    if (e != null) {
                        throw new java.util.concurrent.CompletionException(unwrap(e));
                    }
                    return (IntroMessage.Registered) m;
                });
    }

    /** A path through {@code server} was used: its guest registration (if any) is not idle. */
    void touch(InetSocketAddress server) {
        guests.touch(server);
    }

    /** Guest registrations in place now. */
    public int guests() {
        return guests.count();
    }

    /** The servers this node holds a guest registration with, in place now. */
    public List<InetSocketAddress> guestServers() {
        return guests.servers();
    }

    /** Guest registrations started so far. */
    public long guestRegistrations() {
        return guests.registrations();
    }

    /** Guest registrations refused because {@code maxGuests} were held and none was idle. */
    public long guestRefusals() {
        return guests.refusals();
    }

    /** Guest registrations dropped after being idle for {@code guestIdle}. */
    public long guestsDropped() {
        return guests.dropped();
    }

    private CompletableFuture<IntroMessage> request(InetSocketAddress server, long requestId, byte[] packet,
                                                    int expectedType) {
        Pending p = new Pending(server, packet, expectedType);
        pending.put(requestId, p);
        transmit(requestId, p, config.requestTimeout());
        return p.result;
    }

    private void transmit(long id, Pending p, Duration wait) {
        if (p.result.isDone()) {
            return;
        }
        if (p.sent == config.attempts()) {
            pending.remove(id);
            p.result.completeExceptionally(new TimeoutException("no answer from " + p.server));
            return;
        }
        p.sent++;
        transport.send(p.server, p.packet);
        p.timer = scheduler.schedule(wait, () -> transmit(id, p, wait.multipliedBy(2)));
    }

    /** An intro-range datagram from the demux. */
    public void onIntroPacket(InetSocketAddress from, byte[] packet) {
        IntroMessage m;
        try {
            m = IntroCodec.decode(packet);
        } catch (IntroDecodeException e) {
            dropped++;
            return;
        }
        long requestId = requestIdOf(m);
        if (requestId != 0) {
            Pending p = pending.get(requestId);
            if (p != null && p.server.equals(from) && (m.type() == p.expectedType || m instanceof IntroMessage.Error)) {
                pending.remove(requestId);
                p.timer.cancel();
                if (m instanceof IntroMessage.Error err) {
                    onError(err.error(), from);
                    p.result.completeExceptionally(new IntroException(err.error()));
                } else {
                    p.result.complete(m);
                }
                return;
            }
        }
        Registration reg = registration;
        boolean fromServer = reg != null && reg.server().equals(from) || guests.isRegistered(from);
        if (fromServer && (m instanceof IntroMessage.PunchNow || m instanceof IntroMessage.Relayed)) {
            touch(from);
        }
        if (fromServer && m instanceof IntroMessage.PunchNow pn && !pn.initiator()) {
            listener.onPunchNow(from, pn);
        } else if (fromServer && m instanceof IntroMessage.Relayed r) {
            listener.onRelayed(from, r.fromId(), r.payload());
        } else if (fromServer && m instanceof IntroMessage.Error err && err.requestId() == 0) {
            onError(err.error(), from); // relay refusals carry no request id
            dropped++;
        } else {
            dropped++;
        }
    }

    private void onError(IntroError e, InetSocketAddress from) {
        if (e != IntroError.NOT_REGISTERED || !running) {
            return;
        }
        // the server forgot us (restart, or our mapping changed): register again now
        if (guests.holds(from)) {
            scheduler.execute(() -> guests.registerAgain(from));
        } else {
            scheduler.execute(this::registerNow);
        }
    }

    private static long requestIdOf(IntroMessage m) {
        if (m instanceof IntroMessage.Registered r) {
            return r.requestId();
        } else if (m instanceof IntroMessage.Peers r) {
            return r.requestId();
        } else if (m instanceof IntroMessage.PunchNow r) {
            return r.requestId();
        } else if (m instanceof IntroMessage.Error r) {
            return r.requestId();
        }
        return 0;
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
