package org.p2pdns.node.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.TestRecords;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.transport.MessageHandler;
import org.p2pdns.node.transport.MessageTransport;
import org.p2pdns.node.wire.DhtCodec;
import org.p2pdns.node.wire.DhtMessage;
import org.p2pdns.node.wire.FindNodeMessage;
import org.p2pdns.node.wire.NodesMessage;
import org.p2pdns.node.wire.StoreMessage;
import org.p2pdns.node.wire.WireException;

/**
 * Fuzzes the DhtNode's message handler (the layer above the secure transport): a fresh node over a capturing
 * transport receives up to 24 fuzzed messages from two peers. A message that decodes as STORE may get the sender's
 * genuine write token patched in, and a step may store a genuine record, so the policy and quota paths are reached.
 * The handler must never throw; every message the node sends must decode, be a reply (the node starts no lookups
 * here) and answer a request id it was sent; every value the node holds must pass the record policy.
 * Regression inputs: DhtNodeFuzzTestInputs/messages/.
 */
class DhtNodeFuzzTest {

    private static final NetworkParams PARAMS = NetworkParams.TEST.withDifficulty(0, 8);
    private static final RecordPolicy POLICY = new RecordPolicy(PARAMS);
    private static final byte[] VECTOR = TestRecords.vector1().encoded();
    private static final NodeId VECTOR_KEY = TestRecords.vector1().dhtKey();

    /** Collects what the node sends; the fuzz loop plays its peers. */
    private static final class Capture implements MessageTransport {
        final Contact self;
        final List<byte[]> sent = new ArrayList<>();
        MessageHandler handler;

        Capture(Contact self) {
            this.self = self;
        }

        @Override
        public Contact self() {
            return self;
        }

        @Override
        public void send(Contact to, byte[] message) {
            assertTrue(message.length <= MAX_MESSAGE, "node sent " + message.length + " bytes");
            sent.add(message);
        }

        @Override
        public void sendToAddress(InetSocketAddress to, byte[] message) {
            send(null, message);
        }

        @Override
        public void setHandler(MessageHandler handler) {
            this.handler = handler;
        }
    }

    private static Contact contact(int seed, String ip) {
        byte[] key = new byte[32];
        new Random(seed).nextBytes(key);
        return Contact.of(key, new InetSocketAddress(ip, 4000));
    }

    @FuzzTest(maxDuration = "10m")
    void messages(FuzzedDataProvider data) {
        VirtualScheduler scheduler = new VirtualScheduler((TestRecords.T0 + 60) * 1000);
        Capture t = new Capture(contact(1, "10.0.0.1"));
        InMemoryValueStore store = new InMemoryValueStore();
        DhtConfig cfg = DhtConfig.defaults(PARAMS).withStoreLimits(3, 5, 2, 8);
        DhtNode node = new DhtNode(cfg, t.self, t, scheduler, new Random(5), POLICY, store);
        node.start(List.of());
        scheduler.runFor(Duration.ofSeconds(1));
        List<Contact> peers = List.of(contact(2, "10.0.0.2"), contact(3, "10.0.1.3"));
        List<Long> requestIds = new ArrayList<>();
        byte[][] tokens = new byte[2][];
        for (int p = 0; p < 2; p++) {
            t.sent.clear();
            long id = 1000 + p;
            t.handler.onMessage(peers.get(p), DhtCodec.encode(new FindNodeMessage(id, peers.get(p).id())));
            scheduler.runFor(Duration.ofMillis(10));
            tokens[p] = ((NodesMessage) decode(t.sent.get(0))).token();
            requestIds.add(id);
        }
        t.sent.clear();

        for (int step = 0; step < 24 && data.remainingBytes() > 0; step++) {
            int p = data.consumeInt(0, 1);
            Contact from = peers.get(p);
            byte[] msg;
            if (data.consumeInt(0, 7) == 0) {
                long id = data.consumeLong();
                msg = DhtCodec.encode(new StoreMessage(id, VECTOR_KEY, tokens[p], VECTOR));
            } else {
                msg = data.consumeBytes(data.consumeInt(0, 1300));
                if (data.consumeBoolean()) {
                    msg = withToken(msg, tokens[p]);
                }
            }
            if (msg.length >= DhtCodec.HEADER_BYTES) {
                requestIds.add(peekId(msg));
            }
            t.handler.onMessage(from, msg);
            scheduler.runFor(Duration.ofMillis(data.consumeInt(0, 2000)));
        }

        for (byte[] out : t.sent) {
            DhtMessage m = decode(out);
            assertFalse(m.type().isRequest(), "node sent a request: " + m.type());
            assertTrue(requestIds.contains(m.requestId()), "reply to a request id never sent: " + m.requestId());
        }
        long now = scheduler.nowMillis();
        for (ValueStore.Entry e : store.entries()) {
            if (e.expiresAtMillis() <= now) {
                continue; // valid when stored; the store drops it on its next sweep
            }
            assertEquals(StoreOutcome.STORED, POLICY.validate(e.key(), e.value(), null, now), "held a bad value");
        }
        assertTrue(store.size() <= 8, "store over its cap: " + store.size());
        node.stop();
    }

    /** If {@code msg} decodes as a STORE, the same STORE carrying {@code token}. */
    private static byte[] withToken(byte[] msg, byte[] token) {
        try {
            if (DhtCodec.decode(msg) instanceof StoreMessage s) {
                return DhtCodec.encode(new StoreMessage(s.requestId(), s.key(), token, s.value()));
            }
        } catch (WireException ignored) {
            // not a STORE: sent as it is
        }
        return msg;
    }

    private static long peekId(byte[] msg) {
        try {
            return DhtCodec.peekRequestId(msg);
        } catch (WireException e) {
            throw new AssertionError(e);
        }
    }

    private static DhtMessage decode(byte[] b) {
        try {
            return DhtCodec.decode(b);
        } catch (WireException e) {
            throw new AssertionError("node sent bytes that do not decode: " + e.getMessage(), e);
        }
    }
}
