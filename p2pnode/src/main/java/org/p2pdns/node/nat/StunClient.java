package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.p2pdns.node.intro.IntroDecodeException;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.transport.DatagramTransport;

/**
 * STUN Binding from the node's own socket, so the reflexive address it learns is the mapping peers will see. Replies
 * reach it through the packet demux ({@link #onStun}); one is trusted only if its transaction id and its source match
 * a pending request. Retransmits with doubling intervals. Event thread only.
 */
public final class StunClient {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StunClient.class);

    private final class Pending {
        final InetSocketAddress server;
        final byte[] request;
        final CompletableFuture<InetSocketAddress> result = new CompletableFuture<>();
        Cancellable timer;
        int sent;

        Pending(InetSocketAddress server, byte[] request) {
            this.server = server;
            this.request = request;
        }
    }

    private final Scheduler scheduler;
    private final DatagramTransport transport;
    private final Random random;
    private final Duration firstRetransmit;
    private final int attempts;
    private final Map<String, Pending> pending = new HashMap<>();
    private long dropped;

    /** {@code attempts} sends, the first retransmit after {@code firstRetransmit}, then doubling. */
    public StunClient(Scheduler scheduler, DatagramTransport transport, Random random, Duration firstRetransmit,
                      int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
        this.scheduler = scheduler;
        this.transport = transport;
        this.random = random;
        this.firstRetransmit = firstRetransmit;
        this.attempts = attempts;
    }

    /** 4 sends at 200, 400, 800 ms: an answer within ~3 s or a {@link TimeoutException}. */
    public StunClient(Scheduler scheduler, DatagramTransport transport, Random random) {
        this(scheduler, transport, random, Duration.ofMillis(200), 4);
    }

    /** Asks {@code server} for this socket's reflexive address. Call on the event thread. */
    public CompletableFuture<InetSocketAddress> binding(InetSocketAddress server) {
        byte[] tid = new byte[StunCodec.TRANSACTION_ID_BYTES];
        random.nextBytes(tid);
        Pending p = new Pending(server, StunCodec.bindingRequest(tid));
        String key = key(tid);
        pending.put(key, p);
        transmit(key, p, firstRetransmit);
        return p.result;
    }

    private void transmit(String key, Pending p, Duration wait) {
        if (p.result.isDone()) {
            return;
        }
        if (p.sent == attempts) {
            pending.remove(key);
            p.result.completeExceptionally(new TimeoutException("no STUN answer from " + p.server));
            return;
        }
        p.sent++;
        transport.send(p.server, p.request);
        p.timer = scheduler.schedule(wait, () -> transmit(key, p, wait.multipliedBy(2)));
    }

    /** A STUN datagram from the demux. */
    public void onStun(InetSocketAddress from, byte[] packet) {
        StunCodec.BindingResponse r;
        try {
            r = StunCodec.decodeResponse(packet);
        } catch (IntroDecodeException e) {
            dropped++;
            LOG.debug("STUN packet from {} dropped: {}", from, e.getMessage());
            return;
        }
        String key = key(r.transactionId());
        Pending p = pending.get(key);
        if (p == null || !p.server.equals(from)) {
            dropped++; // unknown transaction, or the right id from the wrong place
            return;
        }
        pending.remove(key);
        p.timer.cancel();
        if (r.error()) {
            p.result.completeExceptionally(new IllegalStateException("STUN error response from " + from));
        } else {
            p.result.complete(r.mapped());
        }
    }

    /** STUN packets dropped (malformed, unsolicited or from the wrong source). */
    public long dropped() {
        return dropped;
    }

    private static String key(byte[] tid) {
        return Arrays.toString(tid);
    }
}
