package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroError;
import org.p2pdns.node.intro.IntroMessage;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.util.LruMap;

/**
 * Which introduction server introduces this node to each peer and relays between them. A peer is reached through
 * the server that last named it (it pushed a PUNCH_NOW or RELAYED from the peer, or a rendezvous there succeeded);
 * else through this node's own server; else through the servers the peer's signed reachability record lists (looked
 * up in the DHT by {@link NatTraversal.ReachLookup}), registering there as a guest. Event thread only.
 */
final class ServerRoutes {

    /** A rendezvous that worked: the server and our PUNCH_NOW. */
    record Introduction(InetSocketAddress server, IntroMessage.PunchNow punch) {
    }

    private final IntroClient intro;
    private final NatTraversal.ReachLookup lookup;
    private final Scheduler scheduler;
    private final Map<NodeId, InetSocketAddress> hostOf = LruMap.withMax(NatDatagramTransport.MAX_KNOWN_PEERS);
    /** (peer, server) pairs where a rendezvous said UNKNOWN_TARGET, and when: no relay is tried there for a while. */
    private final Map<Absence, Long> absent = LruMap.withMax(1024);
    private long lookups;

    private record Absence(NodeId peer, InetSocketAddress server) {
    }

    /** How long a server that said it does not know a peer is not asked to relay to it. */
    static final long ABSENCE_MILLIS = 60_000;

    ServerRoutes(IntroClient intro, NatTraversal.ReachLookup lookup, Scheduler scheduler) {
        this.intro = intro;
        this.lookup = lookup;
        this.scheduler = scheduler;
    }

    /** {@code server} knows {@code peer} (the peer is registered there). */
    void learnHost(NodeId peer, InetSocketAddress server) {
        hostOf.put(peer, server);
    }

    /** The server known to hold {@code peer}'s registration, or null. */
    InetSocketAddress hostOf(NodeId peer) {
        return hostOf.get(peer);
    }

    /** Reachability records asked of the DHT so far. */
    long lookups() {
        return lookups;
    }

    /**
     * Asks for a rendezvous with {@code peer}: at its known server, else at ours, else at each server its reachability
     * record lists (guest registration first) until one introduces us.
     */
    CompletableFuture<Introduction> rendezvous(NodeId peer) {
        List<InetSocketAddress> first = new ArrayList<>();
        InetSocketAddress h = hostOf.get(peer);
        if (h != null) {
            first.add(h);
        }
        IntroClient.Registration reg = intro.registration();
        if (reg != null && !first.contains(reg.server())) {
            first.add(reg.server());
        }
        CompletableFuture<Introduction> out = new CompletableFuture<>();
        tryRendezvous(peer, first, 0, false, out, null);
        return out;
    }

    private void tryRendezvous(NodeId peer, List<InetSocketAddress> servers, int i, boolean looked,
                               CompletableFuture<Introduction> out, Throwable last) {
        if (i == servers.size()) {
            if (looked) {
                out.completeExceptionally(last != null ? last
                        : new IllegalStateException("no introduction server known for " + peer.shortHex()));
                return;
            }
            publishedServers(peer).thenAccept(more -> scheduler.runOnEventThread(() -> {
                List<InetSocketAddress> all = new ArrayList<>(servers);
                for (InetSocketAddress s : more) {
                    if (!all.contains(s)) {
                        all.add(s);
                    }
                }
                tryRendezvous(peer, all, i, true, out, last);
            }));
            return;
        }
        InetSocketAddress s = servers.get(i);
        // at once when on the event thread: a PUNCH_NOW must turn into probes without delay (the peer got its own
        // PUNCH_NOW first and is probing already)
        intro.ensureRegistered(s).thenCompose(v -> intro.rendezvous(s, peer)).whenComplete((pn, e) ->
                scheduler.runOnEventThread(() -> {
                    if (e == null) {
                        hostOf.put(peer, s);
                        absent.remove(new Absence(peer, s));
                        out.complete(new Introduction(s, pn));
                    } else {
                        Throwable t = unwrap(e);
                        if (t instanceof IntroException ie && ie.error() == IntroError.UNKNOWN_TARGET) {
                            absent.put(new Absence(peer, s), scheduler.nowMillis());
                        }
                        tryRendezvous(peer, servers, i + 1, looked, out, t);
                    }
                }));
    }

    /**
     * The servers to try relaying through for {@code peer}: its known server, else ours and its published ones, less
     * those that just said they do not know it (a dead DHT contact then costs no relay probes).
     */
    CompletableFuture<List<InetSocketAddress>> relayServers(NodeId peer) {
        InetSocketAddress h = hostOf.get(peer);
        if (h != null) {
            return CompletableFuture.completedFuture(List.of(h));
        }
        IntroClient.Registration reg = intro.registration();
        return publishedServers(peer).thenApply(more -> {
            List<InetSocketAddress> all = new ArrayList<>();
            if (reg != null) {
                all.add(reg.server());
            }
            for (InetSocketAddress s : more) {
                if (!all.contains(s)) {
                    all.add(s);
                }
            }
            long now = scheduler.nowMillis();
            all.removeIf(s -> {
                Long at = absent.get(new Absence(peer, s));
                return at != null && now - at < ABSENCE_MILLIS;
            });
            return all;
        });
    }

    /** The introduction servers {@code peer} published (empty when it published none, or the lookup failed). */
    private CompletableFuture<List<InetSocketAddress>> publishedServers(NodeId peer) {
        lookups++;
        CompletableFuture<ReachabilityInfo> f;
        try {
            f = lookup.lookup(peer);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.handle((info, e) -> info == null || e != null ? List.of() : info.introServers());
    }

    /** The relayer of the transport: through the peer's known server, else ours. */
    boolean relay(NodeId peer, byte[] packet) {
        InetSocketAddress s = hostOf.get(peer);
        if (s == null) {
            return intro.relay(peer, packet);
        }
        return intro.relay(s, peer, packet);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
