package org.p2pdns.node.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.record.TestRecords;
import org.p2pdns.node.store.StoreException;
import org.p2pdns.node.time.VirtualScheduler;
import org.p2pdns.node.transport.MessageHandler;
import org.p2pdns.node.transport.MessageTransport;
import org.p2pdns.node.wire.DhtCodec;
import org.p2pdns.node.wire.DhtMessage;
import org.p2pdns.node.wire.FindNodeMessage;
import org.p2pdns.node.wire.FindValueMessage;
import org.p2pdns.node.wire.NodesMessage;
import org.p2pdns.node.wire.StoreMessage;
import org.p2pdns.node.wire.StoreResultMessage;
import org.p2pdns.node.wire.ValueMessage;
import org.p2pdns.node.wire.WireException;

/**
 * A store whose writes start failing (as on a full disk, injected): the DHT node answers the STORE that could not be
 * written with STORE_FAILED (a clear outcome on the wire, not a silent drop or a crash) and keeps serving FIND_VALUE
 * from what it holds. The real-disk variant is {@code store.FaultDiskFullTest}.
 */
class FaultStoreFailureTest {

    /** An in-memory store whose puts fail once {@code full} is set, as a disk that has filled up. */
    private static final class FillingStore implements ValueStore {
        final InMemoryValueStore inner = new InMemoryValueStore();
        boolean full;

        @Override
        public Entry get(NodeId key) {
            return inner.get(key);
        }

        @Override
        public void put(Entry entry) {
            if (full) {
                throw new StoreException(Path.of("records.mv.db"), "cannot write the store file",
                        new java.io.IOException("No space left on device"));
            }
            inner.put(entry);
        }

        @Override
        public void remove(NodeId key) {
            inner.remove(key);
        }

        @Override
        public List<Entry> entries() {
            return inner.entries();
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void writesFailClearlyAndHeldRecordsAreStillServed() {
        VirtualScheduler scheduler = new VirtualScheduler();
        List<DhtMessage> replies = new ArrayList<>();
        MessageHandler[] handler = new MessageHandler[1];
        Random random = new Random(3);
        byte[] selfKey = new byte[32];
        random.nextBytes(selfKey);
        Contact self = Contact.of(selfKey, new InetSocketAddress("10.0.0.1", 4000));
        MessageTransport t = new MessageTransport() {
            @Override
            public Contact self() {
                return self;
            }

            @Override
            public void send(Contact to, byte[] message) {
                try {
                    replies.add(DhtCodec.decode(message));
                } catch (WireException e) {
                    throw new AssertionError(e);
                }
            }

            @Override
            public void sendToAddress(InetSocketAddress to, byte[] message) {
                send(null, message);
            }

            @Override
            public void setHandler(MessageHandler h) {
                handler[0] = h;
            }
        };
        FillingStore store = new FillingStore();
        DhtNode node = new DhtNode(DhtConfig.defaults(NetworkParams.TEST), self, t, scheduler, random,
                new RecordPolicy(NetworkParams.TEST), store);
        node.start(List.of());
        scheduler.runFor(Duration.ofSeconds(1));

        byte[] peerKey = new byte[32];
        random.nextBytes(peerKey);
        Contact peer = Contact.of(peerKey, new InetSocketAddress("192.0.2.9", 4000));
        handler[0].onMessage(peer, DhtCodec.encode(new FindNodeMessage(1, peer.id())));
        byte[] token = ((NodesMessage) replies.get(0)).token();

        OwnerKey owner = OwnerKey.fromSeed(TestRecords.SEED_A);
        long now = scheduler.nowMillis() / 1000;
        SignedRecord kept = SignedRecord.sign("kept.p2p", owner, 1, now, now + 3600, 60, 0,
                TestRecords.aRecord("kept.p2p", 1));
        SignedRecord lost = SignedRecord.sign("lost.p2p", owner, 1, now, now + 3600, 60, 0,
                TestRecords.aRecord("lost.p2p", 2));
        handler[0].onMessage(peer, DhtCodec.encode(new StoreMessage(2, kept.dhtKey(), token, kept.encoded())));
        store.full = true;
        handler[0].onMessage(peer, DhtCodec.encode(new StoreMessage(3, lost.dhtKey(), token, lost.encoded())));
        handler[0].onMessage(peer, DhtCodec.encode(new FindValueMessage(4, kept.dhtKey())));
        handler[0].onMessage(peer, DhtCodec.encode(new FindValueMessage(5, lost.dhtKey())));

        assertEquals(StoreOutcome.STORED, ((StoreResultMessage) replies.get(1)).outcome());
        assertEquals(StoreOutcome.STORE_FAILED, ((StoreResultMessage) replies.get(2)).outcome(),
                "a failed write must be reported as STORE_FAILED");
        assertTrue(replies.get(3) instanceof ValueMessage, "the held record is no longer served");
        assertArrayEquals(kept.encoded(), ((ValueMessage) replies.get(3)).value());
        assertTrue(replies.get(4) instanceof NodesMessage, "a record that was never written is served");
        assertEquals(1, store.size());
    }
}
