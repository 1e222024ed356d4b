package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroMessage;
import org.p2pdns.node.intro.PeerInfo;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.transport.DatagramTransport;
import org.p2pdns.node.util.LruMap;

/**
 * A node's NAT traversal, assembled: the NAT-aware transport (give {@link #transport()} to the secure transport), the
 * introduction client, STUN discovery and mapping classification, the hole puncher, the optional UPnP mapping and the
 * connectivity chain (direct, hole punch, UPnP, relay). Rendezvous and relay go through the peer's introduction
 * server: ours when it is registered there, else one its reachability record names (found through the
 * {@link ReachLookup}; this node registers there as a guest). Relayed paths retry a punch every
 * {@code upgradeInterval} and switch to direct when it works. Everything runs on the node's event thread except UPnP's
 * blocking I/O.
 */
public final class NatTraversal implements AutoCloseable {

    /** Finds the reachability a peer published (the DHT's signed record); completes with null when there is none. */
    @FunctionalInterface
    public interface ReachLookup {
        CompletableFuture<ReachabilityInfo> lookup(NodeId peer);

        /** No lookups: only this node's own introduction server is used. */
        ReachLookup NONE = peer -> CompletableFuture.completedFuture(null);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NatTraversal.class);

    /** When a relayed path first retries a punch; later retries follow {@code upgradeInterval}. */
    static final Duration FIRST_UPGRADE = Duration.ofSeconds(5);

    private final NatConfig config;
    private final NodeId self;
    private final Scheduler scheduler;
    private final NatDatagramTransport transport;
    private final IntroClient intro;
    private final StunClient stun;
    private final HolePuncher puncher;
    private final ConnectivityChain chain;
    private final UpnpPortMapper upnp;
    private final ServerRoutes routes;
    private final CompletableFuture<NatMapping> classified = new CompletableFuture<>();
    private final Map<NodeId, PeerPath> paths = new HashMap<>();
    private final Map<NodeId, Cancellable> upgrades = new HashMap<>();
    private final Map<NodeId, CompletableFuture<PeerPath>> connecting = new HashMap<>();
    /** When each peer was last auto-connected (so a peer that cannot be reached is not retried on every send). */
    private final Map<NodeId, Long> autoConnectAt = LruMap.withMax(NatDatagramTransport.MAX_KNOWN_PEERS);
    private long autoConnects;
    private long unanswered;
    private volatile NatMapping mapping = NatMapping.UNKNOWN;
    private volatile InetSocketAddress reflexive;
    private volatile InetSocketAddress upnpMapping;
    private long upgradesDone;
    private final List<java.util.function.Consumer<IntroClient.Registration>> registrationListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public NatTraversal(NatConfig config, Ed25519PrivateKeyParameters key, Scheduler scheduler,
                        DatagramTransport socket, Random random) {
        this(config, key, scheduler, socket, random, ReachLookup.NONE);
    }

    /** {@code reach} finds the servers of peers registered elsewhere (the DHT's reachability records). */
    public NatTraversal(NatConfig config, Ed25519PrivateKeyParameters key, Scheduler scheduler,
                        DatagramTransport socket, Random random, ReachLookup reach) {
        this.config = config;
        this.scheduler = scheduler;
        this.self = NodeId.ofPublicKey(key.generatePublicKey().getEncoded());
        this.transport = new NatDatagramTransport(socket);
        this.intro = new IntroClient(config.intro(), key, scheduler, transport, random, this::advertisedLocals);
        this.stun = new StunClient(scheduler, transport, random);
        this.puncher = new HolePuncher(self, scheduler, transport, config.punchInterval());
        this.upnp = config.upnp() ? new UpnpPortMapper(socket.localAddress().getPort(), config.upnpLease(),
                Duration.ofSeconds(3)) : null;
        this.routes = new ServerRoutes(intro, reach, scheduler);
        transport.setNatHandlers(intro::onIntroPacket, puncher::onPunch, stun::onStun);
        transport.setRelayer(routes::relay);
        intro.setListener(new IntroClient.Listener() {
            @Override
            public void onPunchNow(InetSocketAddress server, IntroMessage.PunchNow punch) {
                routes.learnHost(punch.peer().id(), server);
                answerPunch(punch);
            }

            @Override
            public void onRelayed(InetSocketAddress server, NodeId from, byte[] payload) {
                routes.learnHost(from, server); // answers go back through the server it came through
                transport.deliverRelayed(from, payload);
            }

            @Override
            public void onRegistered(IntroClient.Registration registration) {
                for (PeerInfo p : registration.peers()) {
                    learn(p);
                }
                for (java.util.function.Consumer<IntroClient.Registration> l : registrationListeners) {
                    l.accept(registration);
                }
            }
        });
        transport.onUnroutedSend((peer, address) -> autoConnect(peer, address, true));
        transport.onUnansweredHandshake(this::unansweredHandshake);
        List<ConnectStrategy> strategies = new ArrayList<>();
        strategies.add(strategy(PathKind.DIRECT, this::direct));
        strategies.add(strategy(PathKind.PUNCHED, t -> punchVia(t, PathKind.PUNCHED, config.punchTimeout())));
        strategies.add(strategy(PathKind.UPNP, this::punchWithUpnp));
        strategies.add(strategy(PathKind.RELAYED, this::relay));
        this.chain = new ConnectivityChain(strategies, scheduler);
    }

    private static ConnectStrategy strategy(PathKind kind,
                                            java.util.function.Function<ConnectTarget, CompletableFuture<PeerPath>> f) {
        return new ConnectStrategy() {
            @Override
            public PathKind kind() {
                return kind;
            }

            @Override
            public CompletableFuture<PeerPath> attempt(ConnectTarget target) {
                return f.apply(target);
            }
        };
    }

    /** The transport for the layers above (secure sessions): relay aliases and the NAT demux included. */
    public NatDatagramTransport transport() {
        return transport;
    }

    public IntroClient introClient() {
        return intro;
    }

    public HolePuncher puncher() {
        return puncher;
    }

    public StunClient stunClient() {
        return stun;
    }

    public ConnectivityChain chain() {
        return chain;
    }

    /**
     * Calls {@code listener} on the event thread after every accepted registration (the first and each refresh): the
     * node takes its public address and the server's fresh peer list from it.
     */
    public void onRegistration(java.util.function.Consumer<IntroClient.Registration> listener) {
        registrationListeners.add(listener);
    }

    /**
     * Starts registration, then STUN classification; UPnP discovery (if enabled) runs on its own thread. May be called
     * from any thread: the work runs on the event thread.
     */
    public void start() {
        if (!scheduler.inEventThread()) {
            scheduler.execute(this::start);
            return;
        }
        intro.start();
        intro.firstRegistration().thenAccept(reg -> scheduler.execute(() -> classify(reg.observed())));
        if (upnp != null) {
            upnp.start().thenAccept(m -> scheduler.execute(() -> {
                upnpMapping = m;
                intro.registerNow(); // advertise the mapped endpoint
            }));
        }
    }

    private void classify(InetSocketAddress fromIntro) {
        reflexive = fromIntro;
        if (config.stunServers().isEmpty()) {
            mapping = NatMapping.classify(List.of(fromIntro), advertisedLocals());
            classified.complete(mapping);
            return;
        }
        List<CompletableFuture<InetSocketAddress>> fs = new ArrayList<>();
        for (InetSocketAddress s : config.stunServers()) {
            fs.add(stun.binding(s).exceptionally(e -> null));
        }
        CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).thenRun(() -> scheduler.execute(() -> {
            List<InetSocketAddress> observed = new ArrayList<>();
            observed.add(fromIntro);
            for (CompletableFuture<InetSocketAddress> f : fs) {
                InetSocketAddress a = f.join();
                if (a != null) {
                    observed.add(a);
                }
            }
            mapping = NatMapping.classify(observed, advertisedLocals());
            classified.complete(mapping);
            LOG.info("NAT mapping {} (observed {})", mapping, observed);
        }));
    }

    /**
     * The live peers the introduction server sampled at the last registration, as bootstrap contacts (empty before
     * the first registration). A node that knows peers from its persisted routing table does not need them.
     */
    public List<org.p2pdns.node.dht.Contact> bootstrapContacts() {
        IntroClient.Registration reg = intro.registration();
        return reg == null ? List.of() : reg.peers().stream().map(PeerInfo::toContact).toList();
    }

    /** Completes (on the event thread) with the mapping once start-up's classification is done. */
    public CompletableFuture<NatMapping> classified() {
        return classified.copy();
    }

    /** The NAT mapping behaviour measured at start-up. */
    public NatMapping mapping() {
        return mapping;
    }

    /** The reflexive address the introduction server saw, or null. */
    public InetSocketAddress reflexive() {
        return reflexive;
    }

    /** The UPnP external endpoint, or null. */
    public InetSocketAddress upnpMapping() {
        return upnpMapping;
    }

    /** UPnP lease renewals so far (0 without UPnP). */
    public int upnpRenewals() {
        return upnp == null ? 0 : upnp.renewals();
    }

    /**
     * What this node publishes so that others can reach it, once it is registered and classified; else null. The
     * reflexive endpoint is the current registration's (it moves when the NAT rebinds).
     */
    public ReachabilityInfo publishableReachability() {
        IntroClient.Registration reg = intro.registration();
        if (reg == null || !classified.isDone()) {
            return null;
        }
        ReachabilityInfo r = reachability();
        return new ReachabilityInfo(r.mapping(), reg.observed(), r.introServers());
    }

    /** What this node advertises so that others can reach it. */
    public ReachabilityInfo reachability() {
        List<InetSocketAddress> servers = config.intro().servers();
        IntroClient.Registration reg = intro.registration();
        if (reg != null) { // the server we are registered with first
            List<InetSocketAddress> s = new ArrayList<>(servers);
            s.remove(reg.server());
            s.add(0, reg.server());
            servers = s;
        }
        return new ReachabilityInfo(mapping, reflexive,
                servers.subList(0, Math.min(ReachabilityInfo.MAX_SERVERS, servers.size())));
    }

    /** The path in use to {@code peer}, or null. */
    public PeerPath path(NodeId peer) {
        return paths.get(peer);
    }

    /**
     * Reaches {@code target} through the chain; the path is kept (with keepalives, and upgrades if relayed). While a
     * chain runs for a peer, another connect to it joins that chain (two chains would punch and probe the same peer
     * at once, and one's relay probe could answer the other's punch).
     */
    public CompletableFuture<PeerPath> connect(ConnectTarget target) {
        CompletableFuture<PeerPath> f = new CompletableFuture<>();
        scheduler.execute(() -> {
            CompletableFuture<PeerPath> running = connecting.get(target.id());
            if (running != null) {
                running.whenComplete((p, e) -> {
                    if (e != null) {
                        f.completeExceptionally(e);
                    } else {
                        f.complete(p);
                    }
                });
                return;
            }
            connecting.put(target.id(), f);
            chain.connect(target).whenComplete((p, e) -> scheduler.execute(() -> {
                connecting.remove(target.id(), f);
                if (e != null) {
                    f.completeExceptionally(e);
                    return;
                }
                adopt(p);
                f.complete(p);
            }));
        });
        return f;
    }

    private void adopt(PeerPath p) {
        paths.put(p.peer(), p);
        if (p.kind() == PathKind.RELAYED) {
            transport.routeRelay(p.peer());
            // the first retry comes soon (a punch that only needed more time than the chain gave it), then slower
            Duration first = config.upgradeInterval().compareTo(FIRST_UPGRADE) < 0 ? config.upgradeInterval()
                    : FIRST_UPGRADE;
            Cancellable old = upgrades.put(p.peer(), scheduler.scheduleAtFixedRate(first,
                    config.upgradeInterval(), () -> tryUpgrade(p)));
            if (old != null) {
                old.cancel();
            }
        } else {
            transport.routeDirect(p.peer(), p.address());
            puncher.keepalive(p.address(), config.keepalive());
        }
        transport.replayLastHandshake(p.peer());
    }

    private void tryUpgrade(PeerPath relayed) {
        punchVia(new ConnectTarget(relayed.peer(), List.of()), PathKind.PUNCHED, backgroundPunchTimeout())
                .whenComplete((p, e) -> {
            if (e != null) {
                return;
            }
            scheduler.execute(() -> {
                Cancellable c = upgrades.remove(relayed.peer());
                if (c != null) {
                    c.cancel();
                }
                transport.routeDirect(relayed.peer(), p.address());
                puncher.keepalive(p.address(), config.keepalive());
                paths.put(relayed.peer(), new PeerPath(relayed.peer(), PathKind.PUNCHED, relayed.address(), null,
                        relayed.setupTime()));
                upgradesDone++;
                LOG.info("relayed path to {} upgraded to direct {}", relayed.peer().shortHex(), p.address());
            });
        });
    }

    private void learn(PeerInfo p) {
        if (!p.id().equals(self)) {
            transport.knowPeer(p.id(), p.reflexive());
        }
    }

    /** How long after an automatic connection attempt to a peer another one may start. */
    static final Duration AUTO_CONNECT_BACKOFF = Duration.ofSeconds(30);

    /**
     * The layers above sent to a known peer's public address with no route yet (the DHT contacting a node the
     * introduction server introduced): run the chain in the background, then route that address along the path
     * found (punched address, or the relay). The datagram itself went out directly, and the secure transport's
     * retransmission uses the route once it exists.
     */
    private void autoConnect(NodeId peer, InetSocketAddress publicAddress, boolean probeDirect) {
        if (!scheduler.inEventThread()) {
            scheduler.execute(() -> autoConnect(peer, publicAddress, probeDirect));
            return;
        }
        long now = scheduler.nowMillis();
        Long last = autoConnectAt.get(peer);
        if (paths.containsKey(peer) || (last != null && now - last < AUTO_CONNECT_BACKOFF.toMillis())) {
            return;
        }
        autoConnectAt.put(peer, now);
        autoConnects++;
        connect(new ConnectTarget(peer, List.of(publicAddress), probeDirect)).whenComplete((p, e) -> {
            if (e != null) {
                LOG.debug("no path to {} at {}: {}", peer.shortHex(), publicAddress, e.getMessage());
            }
        });
    }

    /**
     * The DHT's handshake to a contact it learned from another node (not from an introduction server) went
     * unanswered: the peer may be behind a NAT. From now on the address is routed like an introduced peer's, and the
     * chain runs (without the direct probe, which the handshake just made): rendezvous and relay through the peer's
     * introduction servers, which its reachability record names.
     */
    private void unansweredHandshake(NodeId peer, InetSocketAddress address) {
        if (!scheduler.inEventThread()) {
            scheduler.execute(() -> unansweredHandshake(peer, address));
            return;
        }
        if (peer.equals(self) || paths.containsKey(peer)) {
            return;
        }
        unanswered++;
        transport.knowPeer(peer, address);
        autoConnect(peer, address, false);
    }

    /** DHT contacts whose handshake went unanswered, handed to the chain. */
    public long unansweredHandshakes() {
        return unanswered;
    }

    /** Reachability records looked up to find a peer's introduction servers. */
    public long reachLookups() {
        return routes.lookups();
    }

    /** The introduction server known to hold {@code peer}'s registration (ours, or a guest one), or null. */
    public InetSocketAddress serverOf(NodeId peer) {
        return routes.hostOf(peer);
    }

    /** Background connections started because the layers above sent to a known peer. */
    public long autoConnects() {
        return autoConnects;
    }

    /** Relayed paths that later went direct. */
    public long upgrades() {
        return upgradesDone;
    }

    // ------------------------------------------------------------------ strategies

    private CompletableFuture<PeerPath> direct(ConnectTarget t) {
        if (!t.probeDirect()) {
            return CompletableFuture.failedFuture(new IllegalStateException("known not to answer directly"));
        }
        if (t.candidates().isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("no known address"));
        }
        return puncher.punch(t.id(), 0, t.candidates(), config.directTimeout())
                .thenApply(a -> new PeerPath(t.id(), PathKind.DIRECT, a, null, null));
    }

    /** Punches nobody waits for (relay upgrades, the target side of a rendezvous) may take longer. */
    private Duration backgroundPunchTimeout() {
        return config.punchTimeout().multipliedBy(3);
    }

    private CompletableFuture<PeerPath> punchVia(ConnectTarget t, PathKind kind, Duration timeout) {
        return routes.rendezvous(t.id()).thenCompose(introduction -> {
            IntroMessage.PunchNow pn = introduction.punch();
            learn(pn.peer());
            CompletableFuture<InetSocketAddress> f = new CompletableFuture<>();
            Runnable punch = () -> puncher.punch(t.id(), pn.token(), candidates(pn.peer(), t), timeout)
                    .whenComplete((a, e) -> {
                        if (e != null) {
                            f.completeExceptionally(e);
                        } else {
                            f.complete(a);
                        }
                    });
            scheduler.runOnEventThread(punch); // at once if we can: the peer got its PUNCH_NOW first and is probing
            return f;
        }).thenApply(a -> {
            if (NatDatagramTransport.isAlias(a)) { // the attempt was joined by a relay probe: no hole was punched
                throw new java.util.concurrent.CompletionException(new IllegalStateException("answered through the"
                        + " relay only"));
            }
            return new PeerPath(t.id(), kind, a, null, null);
        });
    }

    private static List<InetSocketAddress> candidates(PeerInfo peer, ConnectTarget t) {
        List<InetSocketAddress> c = new ArrayList<>();
        c.add(peer.reflexive());
        for (InetSocketAddress a : peer.locals()) {
            if (!c.contains(a)) {
                c.add(a);
            }
        }
        for (InetSocketAddress a : t.candidates()) {
            if (!c.contains(a)) {
                c.add(a);
            }
        }
        return c;
    }

    private CompletableFuture<PeerPath> punchWithUpnp(ConnectTarget t) {
        if (upnpMapping == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no UPnP mapping"));
        }
        // our mapped endpoint is among our advertised locals, so the peer's probes can come in through it
        return punchVia(t, PathKind.UPNP, config.punchTimeout());
    }

    private CompletableFuture<PeerPath> relay(ConnectTarget t) {
        InetSocketAddress alias = transport.aliasFor(t.id());
        CompletableFuture<PeerPath> out = new CompletableFuture<>();
        routes.relayServers(t.id()).whenComplete((servers, e) -> scheduler.execute(() -> {
            if (e != null || servers.isEmpty()) {
                out.completeExceptionally(e != null ? e : new IllegalStateException("no introduction server"));
            } else {
                relayThrough(t, alias, servers, 0, out, null);
            }
        }));
        return out;
    }

    private void relayThrough(ConnectTarget t, InetSocketAddress alias, List<InetSocketAddress> servers, int i,
                              CompletableFuture<PeerPath> out, Throwable last) {
        if (i == servers.size()) {
            out.completeExceptionally(last);
            return;
        }
        InetSocketAddress server = servers.get(i);
        intro.ensureRegistered(server).thenCompose(v -> {
            routes.learnHost(t.id(), server);
            transport.routeRelay(t.id());
            // a probe through the relay proves the peer is registered there and answers
            return puncher.punch(t.id(), 0, List.of(alias), config.relayProbeTimeout());
        }).whenComplete((a, e) -> scheduler.execute(() -> {
            if (e == null) {
                out.complete(new PeerPath(t.id(), PathKind.RELAYED, alias, server, null));
            } else {
                relayThrough(t, alias, servers, i + 1, out, e);
            }
        }));
    }

    /** The target side of a rendezvous: punch back at once. */
    private void answerPunch(IntroMessage.PunchNow pn) {
        NodeId peer = pn.peer().id();
        learn(pn.peer());
        puncher.punch(peer, pn.token(), candidates(pn.peer(), new ConnectTarget(peer, List.of())),
                backgroundPunchTimeout()).thenAccept(a -> scheduler.execute(() -> {
                    if (!NatDatagramTransport.isAlias(a)) {
                        transport.routeDirect(peer, a);
                        puncher.keepalive(a, config.keepalive());
                    }
                }));
    }

    /** The endpoints this node advertises as local: its bound address(es) and a UPnP mapping. */
    List<InetSocketAddress> advertisedLocals() {
        return LocalEndpoints.of(transport.localAddress(), upnpMapping);
    }

    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        scheduler.execute(() -> {
            intro.stop();
            puncher.stopAll();
            upgrades.values().forEach(Cancellable::cancel);
            upgrades.clear();
            done.complete(null);
        });
        if (!scheduler.inEventThread()) {
            try {
                done.get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("close: {}", e.toString());
            }
        }
        if (upnp != null) {
            upnp.close();
        }
    }
}
