package org.p2pdns.node.dht.rpc;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.LongFunction;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.DhtStats;
import org.p2pdns.node.dht.DhtStats.Counter;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.transport.MessageTransport;
import org.p2pdns.node.wire.DhtCodec;
import org.p2pdns.node.wire.DhtMessage;
import org.p2pdns.node.wire.ErrorMessage;
import org.p2pdns.node.wire.MessageType;

/**
 * Outgoing requests of one node: assigns random 8-byte request ids, matches each reply on its id AND its sender (node
 * id, or address for a bootstrap request whose key is not known yet) AND its type, resends after a timeout, and gives
 * up after the configured retries. Pending requests are capped; beyond the cap a request fails at once and is counted.
 * Runs on the node's event thread; callbacks run there too, never inside {@link #request}.
 */
public final class RpcClient {

    /** Receives the end of one request: {@code reply} is null when it failed (timeout, cap, stop). */
    @FunctionalInterface
    public interface Callback {
        void done(Contact from, DhtMessage reply);
    }

    private static final class Pending {
        final long id;
        final NodeId expectedId;
        final InetSocketAddress expectedAddress;
        final Contact to;
        final MessageType type;
        final byte[] bytes;
        final Duration timeout;
        final Callback callback;
        int retriesLeft;
        long deadline;
        long sentAt;
        boolean resent;
        long seq;
        boolean done;

        Pending(long id, NodeId expectedId, InetSocketAddress expectedAddress, Contact to, MessageType type,
                byte[] bytes, Duration timeout, int retries, Callback callback) {
            this.id = id;
            this.expectedId = expectedId;
            this.expectedAddress = expectedAddress;
            this.to = to;
            this.type = type;
            this.bytes = bytes;
            this.timeout = timeout;
            this.retriesLeft = retries;
            this.callback = callback;
        }
    }

    private final MessageTransport transport;
    private final Scheduler scheduler;
    private final Random random;
    private final DhtStats stats;
    private final int maxPending;
    private final Map<Long, Pending> pending = new HashMap<>();
    /** Requests that timed out, oldest first, kept one more timeout so that a late reply is recognised. */
    private final LinkedHashMap<Long, Late> timedOut = new LinkedHashMap<>();

    /** What is kept of a request that timed out, to recognise a late reply (not its bytes nor its callback). */
    private record Late(NodeId expectedId, InetSocketAddress expectedAddress, MessageType type, long sentAt,
                        boolean resent, long untilMillis) {
    }
    // one timer per client instead of one per request: the deadlines wait here (answered ones are skipped lazily)
    private final PriorityQueue<Pending> deadlines = new PriorityQueue<>((a, b) -> a.deadline != b.deadline
            ? Long.compare(a.deadline, b.deadline) : Long.compare(a.seq, b.seq));
    private Cancellable sweep;
    private long sweepAt = Long.MAX_VALUE;
    private long seq;
    private boolean closed;
    private long smoothedRtt = -1;

    public RpcClient(MessageTransport transport, Scheduler scheduler, Random random, DhtStats stats, int maxPending) {
        this.transport = transport;
        this.scheduler = scheduler;
        this.random = random;
        this.stats = stats;
        this.maxPending = maxPending;
    }

    /** Sends the request built by {@code build(requestId)} to {@code to}; {@code cb} runs once with the reply or null. */
    public void request(Contact to, LongFunction<DhtMessage> build, Duration timeout, int retries, Callback cb) {
        start(to, null, build, timeout, retries, cb);
    }

    /** Like {@link #request} to an address whose key is unknown (bootstrap): the reply is matched on the address. */
    public void requestToAddress(InetSocketAddress to, LongFunction<DhtMessage> build, Duration timeout, int retries,
                                 Callback cb) {
        start(null, to, build, timeout, retries, cb);
    }

    private void start(Contact to, InetSocketAddress addr, LongFunction<DhtMessage> build, Duration timeout,
                       int retries, Callback cb) {
        if (closed || pending.size() >= maxPending) {
            stats.increment(Counter.DROP_PENDING_FULL);
            scheduler.execute(() -> cb.done(to, null));
            return;
        }
        long id;
        do {
            id = random.nextLong();
        } while (pending.containsKey(id) || timedOut.containsKey(id));
        DhtMessage m = build.apply(id);
        if (!m.type().isRequest()) {
            throw new IllegalArgumentException("not a request: " + m.type());
        }
        Pending p = new Pending(id, to == null ? null : to.id(), to == null ? addr : to.address(), to, m.type(),
                DhtCodec.encode(m), timeout, retries, cb);
        pending.put(id, p);
        send(p);
    }

    private void send(Pending p) {
        stats.increment(Counter.RPC_SENT);
        if (p.to != null) {
            transport.send(p.to, p.bytes);
        } else {
            transport.sendToAddress(p.expectedAddress, p.bytes);
        }
        long now = scheduler.nowMillis();
        p.resent = p.deadline != 0;
        p.sentAt = now;
        p.deadline = now + p.timeout.toMillis();
        p.seq = seq++;
        if (deadlines.size() >= 4 * maxPending) {
            // answered requests linger here until their deadline; under a flood of fast replies, sweep them out
            deadlines.removeIf(x -> x.done);
        }
        deadlines.add(p);
        if (p.deadline < sweepAt) {
            armSweep(p.deadline);
        }
    }

    private void armSweep(long at) {
        if (sweep != null) {
            sweep.cancel();
        }
        sweepAt = at;
        sweep = scheduler.schedule(Duration.ofMillis(Math.max(0, at - scheduler.nowMillis())), this::onSweep);
    }

    private void onSweep() {
        sweep = null;
        sweepAt = Long.MAX_VALUE;
        long now = scheduler.nowMillis();
        while (!deadlines.isEmpty() && deadlines.peek().deadline <= now) {
            Pending p = deadlines.poll();
            if (!p.done) {
                onTimeout(p);
            }
        }
        if (!deadlines.isEmpty() && !closed) {
            armSweep(deadlines.peek().deadline);
        }
    }

    private void onTimeout(Pending p) {
        if (pending.get(p.id) != p) {
            return;
        }
        if (p.retriesLeft > 0 && !closed) {
            p.retriesLeft--;
            stats.increment(Counter.RPC_RETRY);
            send(p);
            return;
        }
        pending.remove(p.id);
        p.done = true;
        stats.increment(Counter.RPC_TIMEOUT);
        long now = scheduler.nowMillis();
        forgetLate(now);
        timedOut.put(p.id, new Late(p.expectedId, p.expectedAddress, p.type, p.sentAt, p.resent,
                now + p.timeout.toMillis()));
        while (timedOut.size() > maxPending) {
            timedOut.remove(timedOut.keySet().iterator().next());
        }
        p.callback.done(p.to, null);
    }

    private void forgetLate(long now) {
        Iterator<Late> it = timedOut.values().iterator();
        while (it.hasNext() && it.next().untilMillis() <= now) {
            it.remove();
        }
    }

    /**
     * Offers a received reply. Returns true if it answers a request of ours: a pending one (whose callback then runs),
     * or one that timed out within the last request timeout (a late reply, counted {@code REPLY_LATE}: its callback
     * already ran, but the peer evidently answers). A reply that matches no request, or whose sender or type does not
     * match, is counted and ignored.
     */
    public boolean onReply(Contact from, DhtMessage reply) {
        Pending p = pending.get(reply.requestId());
        if (p == null) {
            forgetLate(scheduler.nowMillis());
            Late late = timedOut.get(reply.requestId());
            if (late != null && matches(late.expectedId(), late.expectedAddress(), late.type(), from, reply)) {
                timedOut.remove(reply.requestId());
                sampleRtt(late.sentAt(), late.resent());
                stats.increment(Counter.REPLY_LATE);
                return true;
            }
            stats.increment(late == null ? Counter.DROP_UNMATCHED_REPLY : Counter.DROP_WRONG_SOURCE);
            return false;
        }
        if (!matches(p.expectedId, p.expectedAddress, p.type, from, reply)) {
            stats.increment(Counter.DROP_WRONG_SOURCE);
            return false;
        }
        pending.remove(p.id);
        p.done = true;
        sampleRtt(p.sentAt, p.resent);
        stats.increment(Counter.REPLY_RECEIVED);
        p.callback.done(from, reply);
        return true;
    }

    /**
     * Round-trip time of a reply, smoothed as TCP does (RFC 6298: gain 1/8), from requests sent once only (a reply to
     * a resent request could answer either copy). Late replies count too: leaving them out would hide how slow the
     * slowest peers are exactly when it matters.
     */
    private void sampleRtt(long sentAt, boolean resent) {
        if (resent) {
            return;
        }
        long rtt = Math.max(0, scheduler.nowMillis() - sentAt);
        smoothedRtt = smoothedRtt < 0 ? rtt : smoothedRtt + (rtt - smoothedRtt) / 8;
    }

    /** The smoothed round-trip time of this node's requests in milliseconds, or -1 before the first reply. */
    public long smoothedRttMillis() {
        return smoothedRtt;
    }

    /** Whether {@code reply} comes from the node a request went to (its id, or its address) and answers it. */
    private static boolean matches(NodeId expectedId, InetSocketAddress expectedAddress, MessageType type,
                                   Contact from, DhtMessage reply) {
        boolean sourceOk = expectedId != null ? expectedId.equals(from.id()) : expectedAddress.equals(from.address());
        return sourceOk && answers(type, reply.type());
    }

    private static boolean answers(MessageType request, MessageType reply) {
        if (reply == MessageType.ERROR) {
            return true;
        }
        return switch (request) {
            case PING -> reply == MessageType.PONG;
            case FIND_NODE -> reply == MessageType.NODES;
            case FIND_VALUE -> reply == MessageType.VALUE || reply == MessageType.NODES;
            case STORE -> reply == MessageType.STORE_RESULT;
            default -> false;
        };
    }

    /** True if {@code reply} is an ERROR. */
    public static boolean isError(DhtMessage reply) {
        return reply instanceof ErrorMessage;
    }

    /** Requests waiting for a reply. */
    public int pendingCount() {
        return pending.size();
    }

    /** Fails every pending request and refuses new ones. */
    public void close() {
        closed = true;
        List<Pending> all = new ArrayList<>(pending.values());
        pending.clear();
        timedOut.clear();
        deadlines.clear();
        if (sweep != null) {
            sweep.cancel();
            sweep = null;
        }
        for (Pending p : all) {
            p.done = true;
            p.callback.done(p.to, null);
        }
    }
}
