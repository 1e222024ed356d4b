package org.p2pdns.intro;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import org.ice4j.StunMessageEvent;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.stack.StunStack;

/**
 * A STUN Binding responder (RFC 8489, answers RFC 3489 clients too) on its own UDP port, through ice4j: every Binding
 * request is answered with the source address it came from, as XOR-MAPPED-ADDRESS and MAPPED-ADDRESS. It has one
 * address, so it offers no RFC 5780 OTHER-ADDRESS; nodes classify their NAT by comparing this port's answer with the
 * address the intro port observed (see docs/nat-traversal.md).
 */
public final class StunResponder implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StunResponder.class);

    private final StunStack stack;
    private final DatagramSocket socket;
    private final TransportAddress local;

    private StunResponder(StunStack stack, DatagramSocket socket, TransportAddress local) {
        this.stack = stack;
        this.socket = socket;
        this.local = local;
    }

    /** Binds {@code bind} (port 0 = ephemeral) and starts answering. */
    public static StunResponder start(InetSocketAddress bind, Counters counters) throws IOException {
        return start(bind, counters, a -> { });
    }

    /** As {@link #start(InetSocketAddress, Counters)}; {@code answered} sees every address answered (for tests). */
    static StunResponder start(InetSocketAddress bind, Counters counters,
                               java.util.function.Consumer<InetSocketAddress> answered) throws IOException {
        warmUp();
        DatagramSocket socket = new DatagramSocket(bind);
        TransportAddress local = new TransportAddress(
                new InetSocketAddress(bind.getAddress(), socket.getLocalPort()), Transport.UDP);
        StunStack stack = new StunStack();
        try {
            stack.addSocket(new IceUdpSocketWrapper(socket), null);
            stack.addRequestListener(local, evt -> answer(stack, evt, counters, answered));
        } catch (RuntimeException e) {
            stack.shutDown();
            socket.close();
            throw e;
        }
        return new StunResponder(stack, socket, local);
    }

    private static void answer(StunStack stack, StunMessageEvent evt, Counters counters,
                               java.util.function.Consumer<InetSocketAddress> answered) {
        Message m = evt.getMessage();
        if (m.getMessageType() != Message.BINDING_REQUEST) {
            counters.inc(ServerCounter.STUN_ERRORS);
            return;
        }
        try {
            TransportAddress remote = evt.getRemoteAddress();
            Response resp = MessageFactory.createBindingResponse((Request) m, remote);
            resp.putAttribute(AttributeFactory.createMappedAddressAttribute(remote));
            // Counted before the send: a client that has its answer must see it counted (CI once read 0 here).
            counters.inc(ServerCounter.STUN_BINDINGS);
            answered.accept(new InetSocketAddress(remote.getAddress(), remote.getPort()));
            try {
                stack.sendResponse(evt.getTransactionID().getBytes(), resp, evt.getLocalAddress(), remote);
            } catch (Exception e) {
                counters.add(ServerCounter.STUN_BINDINGS, -1);
                throw e;
            }
        } catch (Exception e) {
            counters.inc(ServerCounter.STUN_ERRORS);
            LOG.debug("STUN answer failed: {}", e.toString());
        }
    }

    private static volatile boolean warm;

    /** ice4j's first encode loads and initialises a lot (~0.7 s): do it once, off any request's critical path. */
    public static void warmUp() {
        if (warm) {
            return;
        }
        try {
            TransportAddress a = new TransportAddress("127.0.0.1", 1, Transport.UDP);
            Request req = MessageFactory.createBindingRequest();
            req.setTransactionID(org.ice4j.stack.TransactionID.createNewTransactionID().getBytes());
            Response r = MessageFactory.createBindingResponse(req, a);
            r.setTransactionID(req.getTransactionID());
            r.encode(null);
        } catch (Exception e) {
            LOG.debug("ice4j warm-up: {}", e.toString());
        }
        warm = true;
    }

    /** The bound address. */
    public InetSocketAddress localAddress() {
        return new InetSocketAddress(local.getAddress(), local.getPort());
    }

    @Override
    public void close() {
        stack.shutDown();
        socket.close();
    }
}
