package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroDecodeException;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.transport.DatagramTransport;
import org.p2pdns.node.util.LruMap;

/**
 * UDP hole punching from the node's own socket. An attempt sends PROBEs to every candidate endpoint of the peer every
 * {@code interval}, adds any address the peer's packets actually come from (peer-reflexive) to its targets, and
 * succeeds when an ACK from the peer arrives: that proves both directions, and its source is the path. Every PROBE
 * is answered with an ACK to its source, statelessly. Keepalives hold a punched mapping open. Event thread only.
 */
public final class HolePuncher {

    private final class Attempt {
        final NodeId peer;
        final Set<Long> tokens = new java.util.HashSet<>();
        final Set<InetSocketAddress> targets = new LinkedHashSet<>();
        final CompletableFuture<InetSocketAddress> result = new CompletableFuture<>();
        Cancellable ticker;
        Cancellable deadline;

        Attempt(NodeId peer, long token) {
            this.peer = peer;
            tokens.add(token);
        }

        boolean accepts(long token) {
            return token == 0 || tokens.contains(token) || tokens.contains(0L);
        }
    }

    private final NodeId self;
    private final Scheduler scheduler;
    private final DatagramTransport transport;
    private final Duration interval;
    private final Map<NodeId, Attempt> attempts = new HashMap<>();
    private final Map<InetSocketAddress, Cancellable> keepalives = new HashMap<>();
    /**
     * PROBEs that came before our own attempt for their sender existed (the peer got its PUNCH_NOW first, or our side
     * was slow to start): their source is where the peer's NAT maps towards us, which a symmetric NAT shows nowhere
     * else, and the peer stops probing as soon as our ACK reaches it. An attempt with the same token starts with them.
     */
    private final Map<NodeId, List<EarlyProbe>> early = LruMap.withMax(MAX_EARLY_PEERS);

    private record EarlyProbe(long token, InetSocketAddress from, long atMillis) {
    }

    /** How long an early PROBE is remembered, and for how many peers (at most 4 sources each). */
    static final long EARLY_PROBE_MILLIS = 5_000;
    static final int MAX_EARLY_PEERS = 256;
    private long dropped;
    private long acksSent;

    public HolePuncher(NodeId self, Scheduler scheduler, DatagramTransport transport, Duration interval) {
        this.self = self;
        this.scheduler = scheduler;
        this.transport = transport;
        this.interval = interval;
    }

    /**
     * Punches towards {@code peer} at {@code candidates} with {@code token} (0 for a direct probe without rendezvous)
     * for at most {@code timeout}; completes with the address the peer answered from, or a {@link TimeoutException}.
     * A punch towards a peer that is already being punched (both sides asked for a rendezvous at once, or a relay
     * probe meets a punch) joins the running attempt: its token and candidates are added, the same future returned.
     */
    public CompletableFuture<InetSocketAddress> punch(NodeId peer, long token, List<InetSocketAddress> candidates,
                                                      Duration timeout) {
        Attempt running = attempts.get(peer);
        if (running != null) {
            running.tokens.add(token);
            running.targets.addAll(candidates);
            return running.result;
        }
        Attempt a = new Attempt(peer, token);
        a.targets.addAll(candidates);
        List<EarlyProbe> seen = early.remove(peer);
        if (seen != null) {
            long now = scheduler.nowMillis();
            for (EarlyProbe e : seen) {
                if (token != 0 && e.token() == token && now - e.atMillis() <= EARLY_PROBE_MILLIS) {
                    a.targets.add(e.from()); // the token is the rendezvous secret: only the peer knows it
                }
            }
        }
        attempts.put(peer, a);
        a.ticker = scheduler.scheduleAtFixedRate(Duration.ZERO, interval, () -> probe(a));
        a.deadline = scheduler.schedule(timeout, () -> {
            if (attempts.get(peer) == a) {
                attempts.remove(peer);
            }
            finish(a);
            a.result.completeExceptionally(new TimeoutException("no answer from " + peer.shortHex()
                    + " at " + a.targets));
        });
        return a.result;
    }

    private void probe(Attempt a) {
        List<byte[]> probes = new ArrayList<>();
        for (long token : a.tokens) {
            probes.add(new PunchPacket(PunchPacket.Kind.PROBE, token, self).encode());
        }
        for (InetSocketAddress t : new ArrayList<>(a.targets)) {
            for (byte[] p : probes) {
                transport.send(t, p);
            }
        }
    }

    private static void finish(Attempt a) {
        a.ticker.cancel();
        a.deadline.cancel();
    }

    /** A PUNCH datagram from the demux. */
    public void onPunch(InetSocketAddress from, byte[] packet) {
        PunchPacket p;
        try {
            p = PunchPacket.decode(packet);
        } catch (IntroDecodeException e) {
            dropped++;
            return;
        }
        if (p.sender().equals(self)) {
            dropped++; // our own probe reflected back (hairpin, or a spoof)
            return;
        }
        Attempt a = attempts.get(p.sender());
        boolean ours = a != null && a.accepts(p.token());
        switch (p.kind()) {
            case PROBE -> {
                acksSent++;
                transport.send(from, new PunchPacket(PunchPacket.Kind.ACK, p.token(), self).encode());
                if (ours) {
                    a.targets.add(from); // peer-reflexive: answer where it actually comes from
                } else if (p.token() != 0 && !NatDatagramTransport.isAlias(from)) {
                    List<EarlyProbe> seen = early.computeIfAbsent(p.sender(), k -> new ArrayList<>());
                    if (seen.size() < 4) {
                        seen.add(new EarlyProbe(p.token(), from, scheduler.nowMillis()));
                    }
                }
            }
            case ACK -> {
                if (ours) {
                    attempts.remove(p.sender());
                    finish(a);
                    a.result.complete(from);
                } else {
                    dropped++;
                }
            }
            case KEEPALIVE -> {
                // holds the mapping; nothing to do
            }
        }
    }

    /** Sends a KEEPALIVE to {@code to} every {@code period} until {@link #stopKeepalive}. */
    public void keepalive(InetSocketAddress to, Duration period) {
        stopKeepalive(to);
        byte[] p = new PunchPacket(PunchPacket.Kind.KEEPALIVE, 0, self).encode();
        keepalives.put(to, scheduler.scheduleAtFixedRate(period, period, () -> transport.send(to, p)));
    }

    public void stopKeepalive(InetSocketAddress to) {
        Cancellable c = keepalives.remove(to);
        if (c != null) {
            c.cancel();
        }
    }

    public void stopAll() {
        for (Attempt a : attempts.values()) {
            finish(a);
            a.result.completeExceptionally(new IllegalStateException("stopped"));
        }
        attempts.clear();
        keepalives.values().forEach(Cancellable::cancel);
        keepalives.clear();
    }

    /** Punch packets dropped (malformed, unexpected ACKs, reflections). */
    public long dropped() {
        return dropped;
    }

    public long acksSent() {
        return acksSent;
    }

    public int activeAttempts() {
        return attempts.size();
    }
}
