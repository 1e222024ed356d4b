package org.p2pdns.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.p2pdns.node.api.NameResolver;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.config.DataDirLayout;
import org.p2pdns.node.config.HostPort;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.config.NodeConfig;
import org.p2pdns.node.control.ControlServer;
import org.p2pdns.node.control.NodeControl;
import org.p2pdns.node.control.NodeStatus;
import org.p2pdns.node.control.PublishReply;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.dht.routing.RoutingTableFile;
import org.p2pdns.node.identity.IdProofOfWork;
import org.p2pdns.node.identity.KeyFile;
import org.p2pdns.node.identity.KeyFileException;
import org.p2pdns.node.identity.NodeIdentity;
import org.p2pdns.node.intro.PeerInfo;
import org.p2pdns.node.nat.NatConfig;
import org.p2pdns.node.nat.NatTraversal;
import org.p2pdns.node.nat.PeerHints;
import org.p2pdns.node.reach.ReachDirectory;
import org.p2pdns.node.reach.ReachPolicy;
import org.p2pdns.node.reach.ReachPublisher;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.resolve.RecordDht;
import org.p2pdns.node.resolve.RecordPublisher;
import org.p2pdns.node.resolve.RecordResolver;
import org.p2pdns.node.store.NodeStore;
import org.p2pdns.node.store.OwnerKeyring;
import org.p2pdns.node.store.StoreException;
import org.p2pdns.node.time.EventLoopScheduler;
import org.p2pdns.node.transport.DatagramTransport;
import org.p2pdns.node.transport.MessageTransport;
import org.p2pdns.node.transport.PacketDemux;
import org.p2pdns.node.transport.SecureTransport;
import org.p2pdns.node.transport.TransportConfig;
import org.p2pdns.node.transport.TransportStats;
import org.p2pdns.node.transport.UdpTransport;

/**
 * A real node, assembled from its parts: identity (key file, with its proof of work), the record store, the UDP
 * socket with NAT traversal (when introduction servers are configured) and secure sessions, the DHT, the record
 * publisher and resolver, the DNS bridge (started through a {@link BridgeFactory}, since it lives in another module)
 * and the control API. {@link #close} stops everything in reverse order, saving the routing table and closing the
 * store. One event thread (the node's {@link EventLoopScheduler}) owns the protocol state.
 */
public final class P2PNode implements NodeControl, AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(P2PNode.class);

    /**
     * How long the DHT waits for the first introduction-server registration (and its peer list) before joining: the
     * introduction client retransmits for about 4.5 s per server before it tries the next one.
     */
    static final Duration INTRO_WAIT = Duration.ofSeconds(10);

    /** Starts the DNS bridge for a node (the bridge module implements it). */
    @FunctionalInterface
    public interface BridgeFactory {
        /**
         * @param readPacing UDP queries/s at or above which the bridge paces its reads ({@code dns.read-pacing});
         *                   0 = never
         */
        Bridge start(InetSocketAddress bind, String tld, NameResolver resolver, int readPacing) throws IOException;
    }

    /** A running DNS bridge. */
    public interface Bridge extends AutoCloseable {
        InetSocketAddress address();

        @Override
        void close();
    }

    /** What the node reports while starting (on the starting thread or the proof-of-work thread). */
    public interface Listener {
        /** A step people want to see ("joining through 2 peers"). */
        void step(String message);

        /** Proof-of-work progress: attempts so far and the expected number. */
        default void proofOfWork(String what, long attempts, long expected) {
        }

        Listener NONE = message -> { };
    }

    /**
     * How to start a node besides its configuration.
     *
     * @param bridge     starts the DNS bridge when the configuration enables it (null: never)
     * @param controlApi whether to serve the control API (not for one-shot nodes)
     * @param listener   progress reports
     * @param version    the software version shown by status
     */
    public record Options(BridgeFactory bridge, boolean controlApi, Listener listener, String version) {
        public Options {
            listener = listener == null ? Listener.NONE : listener;
            version = version == null ? "unknown" : version;
        }
    }

    private final NodeConfig config;
    private final Options options;
    private final NetworkParams params;
    private final EventLoopScheduler scheduler;
    private final ExecutorService powExecutor;
    private final Random random = new SecureRandom();
    private final List<AutoCloseable> started = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private NodeStore store;
    private OwnerKeyring keyring;
    private NodeIdentity identity;
    private UdpTransport udp;
    private NatTraversal nat;
    private ReachDirectory reachDirectory;
    private ReachPublisher reachPublisher;
    private SecureTransport secure;
    private TransportStats transportStats;
    private DhtNode dht;
    private RecordPublisher publisher;
    private RecordResolver resolver;
    private Bridge bridge;
    private ControlServer control;
    private long startedAtMillis;
    private final NodeCommands commands;

    private P2PNode(NodeConfig config, Options options) {
        this.config = config;
        this.options = options;
        this.params = config.network();
        this.scheduler = new EventLoopScheduler("p2p-node");
        this.powExecutor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "p2p-pow");
            t.setDaemon(true);
            return t;
        });
        this.commands = new NodeCommands(this);
    }

    /**
     * Starts a node; returns once every part runs (joining the network goes on in the background, see
     * {@link #joined()}). On failure, whatever was started is stopped again and the exception says what failed.
     */
    public static P2PNode start(NodeConfig config, Options options) throws IOException {
        P2PNode node = new P2PNode(config, options);
        try {
            node.startParts();
            return node;
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private void startParts() throws IOException {
        Listener l = options.listener();
        Path dir = config.dataDir();
        DataDirLayout.ensureWritable(dir);
        startedAtMillis = scheduler.nowMillis();
        try {
            store = NodeStore.open(dir);
        } catch (StoreException e) {
            throw new IOException(e.getMessage() + " (is another node running with data directory " + dir + "?)", e);
        }
        started.add(store);
        keyring = new OwnerKeyring(dir, new SecureRandom());
        identity = loadIdentity(dir, l);
        l.step("node id " + identity.id().toHex());

        transportStats = new TransportStats();
        InetSocketAddress bindTo = new InetSocketAddress(InetAddress.getByName(config.bind()), config.port());
        udp = UdpTransport.bind(bindTo, scheduler, transportStats);
        started.add(udp);
        List<InetSocketAddress> intros = resolveAll(config.intro(), "intro");
        DatagramTransport sessions;
        if (!intros.isEmpty()) {
            NatConfig natConfig = NatConfig.of(intros).withUpnp(config.upnp());
            if (config.stun() != null) {
                natConfig = natConfig.withStunServers(resolveAll(config.stun(), "stun"));
            }
            // peers registered at other introduction servers are found through their reachability records in the
            // DHT, which starts below (lookups only happen once the node runs)
            nat = new NatTraversal(natConfig, new Ed25519PrivateKeyParameters(identity.seed(), 0), scheduler, udp,
                    random, peer -> reachDirectory == null ? CompletableFuture.completedFuture(null)
                            : reachDirectory.lookup(peer));
            started.add(nat);
            sessions = nat.transport();
        } else {
            sessions = udp;
        }
        secure = new SecureTransport(identity, sessions, scheduler, random, TransportConfig.forNetwork(params),
                transportStats);
        started.add(secure);
        if (nat != null) {
            sessions.setReceiver(secure);
        } else {
            PacketDemux.attach(udp, transportStats).onSession(secure);
        }

        RecordPolicy policy = new RecordPolicy(params);
        // the DHT holds domain records and nodes' reachability records; behind a NAT layer it also tells the NAT
        // layer whom it expects at each address, so that a contact that does not answer is reached through its
        // introduction servers
        MessageTransport dhtTransport = nat != null ? new PeerHints(secure, nat.transport()) : secure;
        dht = new DhtNode(DhtConfig.defaults(params), secure.self(), dhtTransport, scheduler, random,
                ReachPolicy.alongside(policy), store.values());
        RecordDht recordDht = RecordDht.of(dht);
        if (nat != null) {
            reachDirectory = new ReachDirectory(recordDht, scheduler);
            reachPublisher = new ReachPublisher(identity.seed(), nat::publishableReachability, recordDht, scheduler,
                    ReachPublisher.LIFETIME);
            started.add(reachPublisher);
        }
        publisher = new RecordPublisher(recordDht, store, params, scheduler, powExecutor,
                RecordPublisher.DEFAULT_LIFETIME.compareTo(params.maxRecordTtl()) < 0
                        ? RecordPublisher.DEFAULT_LIFETIME : params.maxRecordTtl(),
                key -> {
                    try {
                        return keyring.findByPublicKey(key);
                    } catch (IOException e) {
                        LOG.warn("cannot read the owner keys: {}", e.getMessage());
                        return java.util.Optional.empty();
                    }
                });
        started.add(publisher);
        resolver = new RecordResolver(recordDht, policy, store, store.values(), scheduler,
                new RecordResolver.Config(config.queryTimeout(), Duration.ofMillis(25)));

        join(l, intros);
        publisher.start();

        if (config.dnsEnabled() && options.bridge() != null) {
            InetSocketAddress dns = new InetSocketAddress(InetAddress.getByName(config.dnsAddress().host()),
                    config.dnsAddress().port());
            bridge = options.bridge().start(dns, params.tld(), resolver, config.dnsReadPacing());
            started.add(bridge);
            l.step("DNS bridge on " + hostPort(bridge.address()) + " (UDP and TCP) for *." + params.tld());
        }
        if (options.controlApi()) {
            control = ControlServer.start(dir, config.controlPort(), this, config.queryTimeout().plusSeconds(5));
            started.add(control);
        }
        LOG.info("node {} on udp {}", identity.id().shortHex(), hostPort(udp.localAddress()));
    }

    private NodeIdentity loadIdentity(Path dir, Listener l) throws IOException {
        Path file = KeyFile.inDataDir(dir);
        int bits = params.idDifficultyBits();
        NodeIdentity id;
        try {
            id = KeyFile.loadOrCreate(file, () -> {
                l.step("creating the node identity: proof of work of " + bits + " bits");
                return NodeIdentity.generate(random, bits, (attempts, expected) ->
                        l.proofOfWork("node id", attempts, expected));
            });
        } catch (KeyFileException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!id.satisfies(bits)) {
            throw new IOException(file + " was made for a network with a lower node-id difficulty than this one ("
                    + bits + " bits): peers would refuse it; move it away to create a new identity");
        }
        return id;
    }

    /** Starts the DHT: through the introduction servers' peers (after the first registration), flags and saved table. */
    private void join(Listener l, List<InetSocketAddress> intros) throws IOException {
        List<InetSocketAddress> boot = resolveAll(config.bootstrap(), "bootstrap");
        // a corrupt file is logged and ignored: the node then joins through its bootstrap and introduction servers
        List<Contact> savedContacts = RoutingTableFile.loadOrEmpty(
                config.dataDir().resolve(DataDirLayout.ROUTING_TABLE));
        if (nat == null) {
            l.step(joinMessage(boot.size(), savedContacts.size(), 0));
            dht.start(boot, savedContacts);
            watchReady();
            return;
        }
        // every registration (the first and each refresh) tells the node its public address, and brings the
        // server's current peers, which the DHT takes as contacts (it may have started before they registered)
        nat.onRegistration(reg -> {
            secure.setPublicAddress(reg.observed());
            dht.addContacts(introducedContacts(reg.peers()));
            reachPublisher.poke(); // a new server or a new public address is published at once
        });
        nat.classified().thenRun(reachPublisher::poke);
        nat.start();
        nat.introClient().firstRegistration()
                .orTimeout(INTRO_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((reg, e) -> scheduler.execute(() -> {
                    List<Contact> known = new ArrayList<>(savedContacts);
                    List<InetSocketAddress> addresses = new ArrayList<>(boot);
                    if (reg != null) {
                        for (Contact c : introducedContacts(reg.peers())) {
                            known.add(c);
                            // also as a join address: the DHT retries those until its table is healthy
                            addresses.add(c.address());
                        }
                        LOG.info("registered with introduction server {}: public address {}, {} peers",
                                hostPort(reg.server()), hostPort(reg.observed()), reg.peers().size());
                    } else {
                        LOG.warn("no introduction server answered within {} s; joining without it",
                                INTRO_WAIT.toSeconds());
                    }
                    l.step(joinMessage(boot.size(), savedContacts.size(),
                            reg == null ? 0 : reg.peers().size()));
                    dht.start(addresses, known);
                    // publishes once joined, registered and classified, retrying until peers take it
                    dht.whenReady().thenRun(reachPublisher::start);
                    watchReady();
                }));
    }

    /** The peers an introduction server listed, as contacts at their public (reflexive) addresses, without this node. */
    private List<Contact> introducedContacts(List<PeerInfo> peers) {
        List<Contact> out = new ArrayList<>();
        for (PeerInfo p : peers) {
            Contact c = Contact.of(p.publicKey(), p.reflexive());
            if (!c.id().equals(identity.id())) {
                out.add(c);
            }
        }
        return out;
    }

    private static String joinMessage(int boot, int saved, int intro) {
        if (boot + saved + intro == 0) {
            return "no peers known: starting a network of our own";
        }
        return "joining through " + boot + " bootstrap peer(s), " + intro + " introduced peer(s) and " + saved
                + " saved contact(s)";
    }

    private void watchReady() {
        dht.whenReady().thenRunAsync(() -> {
            LOG.info("joined: routing table holds {} contacts", dht.routingTable().size());
            joined.complete(null);
        }, scheduler);
    }

    private static List<InetSocketAddress> resolveAll(List<HostPort> list, String what) throws IOException {
        List<InetSocketAddress> out = new ArrayList<>();
        for (HostPort h : list) {
            try {
                out.add(new InetSocketAddress(InetAddress.getByName(h.host()), h.port()));
            } catch (UnknownHostException e) {
                throw new IOException(what + ": cannot resolve host " + h.host(), e);
            }
        }
        return out;
    }

    static String hostPort(InetSocketAddress a) {
        if (a == null) {
            return "";
        }
        String h = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    // ------------------------------------------------------------------------------------------ accessors

    /** Completes once the initial join has finished (or the node started a network of its own). */
    public CompletableFuture<Void> joined() {
        return joined;
    }

    /** The name resolver (what the bridge and the control API use). */
    public NameResolver resolver() {
        return resolver;
    }

    /** The bound UDP address. */
    public InetSocketAddress udpAddress() {
        return udp.localAddress();
    }

    /** The DNS bridge's address, or null when it does not run. */
    public InetSocketAddress bridgeAddress() {
        return bridge == null ? null : bridge.address();
    }

    /** The control API's port, or -1. */
    public int controlPort() {
        return control == null ? -1 : control.port();
    }

    public NodeIdentity identity() {
        return identity;
    }

    public NodeConfig config() {
        return config;
    }

    EventLoopScheduler scheduler() {
        return scheduler;
    }

    DhtNode dht() {
        return dht;
    }

    RecordPublisher publisher() {
        return publisher;
    }

    /** The resolver itself (accepting a new owner needs more than {@link NameResolver}). */
    RecordResolver recordResolver() {
        return resolver;
    }

    OwnerKeyring keyring() {
        return keyring;
    }

    NodeStore store() {
        return store;
    }

    NatTraversal nat() {
        return nat;
    }

    /**
     * The reachability record this node last published (its introduction servers, for peers behind other servers),
     * or null: none yet, or no introduction server configured.
     */
    public org.p2pdns.node.reach.ReachRecord publishedReachability() {
        if (reachPublisher == null) {
            return null;
        }
        if (scheduler.inEventThread()) {
            return reachPublisher.published();
        }
        try {
            return CompletableFuture.supplyAsync(reachPublisher::published, scheduler).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    /** Where this node looks up peers' reachability records, or null without introduction servers. */
    ReachDirectory reachDirectory() {
        return reachDirectory;
    }

    SecureTransport secure() {
        return secure;
    }

    Options options() {
        return options;
    }

    long startedAtMillis() {
        return startedAtMillis;
    }

    // ------------------------------------------------------------------------------------------ NodeControl

    @Override
    public CompletableFuture<Resolution> resolve(String name) {
        return resolver.resolve(name);
    }

    @Override
    public CompletableFuture<PublishReply> publish(String name, List<org.xbill.DNS.Record> records, long ttlSeconds) {
        return commands.publish(name, records, ttlSeconds, null);
    }

    /** Publishes with the owner key {@code alias} (null: the name's current key, else "default"). */
    @Override
    public CompletableFuture<PublishReply> publish(String name, List<org.xbill.DNS.Record> records, long ttlSeconds,
                                                   String alias) {
        return commands.publish(name, records, ttlSeconds, alias);
    }

    @Override
    public CompletableFuture<PublishReply> lapse(String name) {
        return commands.lapse(name);
    }

    @Override
    public CompletableFuture<PublishReply> acceptOwner(String name) {
        return commands.acceptOwner(name);
    }

    @Override
    public CompletableFuture<NodeStatus> status() {
        return commands.status();
    }

    // ------------------------------------------------------------------------------------------ shutdown

    /** Stops everything in reverse order: control API, bridge, publisher, DHT (saving its table), transports, store. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (control != null) {
            closeQuietly(control);
        }
        if (bridge != null) {
            closeQuietly(bridge);
        }
        if (publisher != null) {
            closeQuietly(publisher);
        }
        if (dht != null) {
            CompletableFuture<Void> saved = new CompletableFuture<>();
            scheduler.execute(() -> {
                try {
                    List<Contact> contacts = dht.routingTable().contacts();
                    if (!contacts.isEmpty()) {
                        RoutingTableFile.save(config.dataDir().resolve(DataDirLayout.ROUTING_TABLE), contacts,
                                scheduler.nowMillis());
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("could not save the routing table: {}", e.getMessage());
                } finally {
                    dht.stop();
                    saved.complete(null);
                }
            });
            try {
                saved.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("the event thread did not stop the DHT in time");
            }
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            AutoCloseable c = started.get(i);
            if (c != control && c != bridge && c != publisher) {
                closeQuietly(c);
            }
        }
        scheduler.close();
        powExecutor.shutdownNow();
        LOG.info("node stopped");
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {}: {}", c.getClass().getSimpleName(), e.getMessage());
        }
    }
}
