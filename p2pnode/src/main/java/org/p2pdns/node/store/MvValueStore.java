package org.p2pdns.node.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.identity.NodeId;

/**
 * The values a node holds for the network, persisted in the node's {@link NodeStore}; {@link #put} is on disk when it
 * returns. Entry layout: expiresAtMillis (8) || storedAtMillis (8) || has-peer (1) || peer id (32, if present) ||
 * value.
 */
public final class MvValueStore implements ValueStore {

    private final NodeStore owner;

    MvValueStore(NodeStore owner) {
        this.owner = owner;
    }

    @Override
    public Entry get(NodeId key) {
        byte[] v = owner.read(() -> owner.valuesMap().get(key.toHex()));
        return v == null ? null : decode(key, v);
    }

    @Override
    public void put(Entry entry) {
        byte[] encoded = encode(entry);
        owner.write(() -> owner.valuesMap().put(entry.key().toHex(), encoded));
    }

    @Override
    public void remove(NodeId key) {
        owner.write(() -> owner.valuesMap().remove(key.toHex()));
    }

    @Override
    public List<Entry> entries() {
        return owner.read(() -> {
            MVMap<String, byte[]> map = owner.valuesMap();
            List<Entry> out = new ArrayList<>(map.size());
            map.forEach((k, v) -> out.add(decode(NodeId.fromHex(k), v)));
            return out;
        });
    }

    @Override
    public int size() {
        return owner.read(() -> owner.valuesMap().size());
    }

    @Override
    public int removeExpired(long nowMillis) {
        // one commit for the whole sweep instead of one per entry
        int[] n = {0};
        owner.write(() -> {
            MVMap<String, byte[]> map = owner.valuesMap();
            List<String> dead = new ArrayList<>();
            map.forEach((k, v) -> {
                if (ByteBuffer.wrap(v).getLong(0) <= nowMillis) {
                    dead.add(k);
                }
            });
            dead.forEach(map::remove);
            n[0] = dead.size();
        });
        return n[0];
    }

    static byte[] encode(Entry e) {
        boolean hasPeer = e.fromPeer() != null;
        ByteBuffer b = ByteBuffer.allocate(17 + (hasPeer ? NodeId.BYTES : 0) + e.value().length);
        b.putLong(e.expiresAtMillis()).putLong(e.storedAtMillis()).put((byte) (hasPeer ? 1 : 0));
        if (hasPeer) {
            b.put(e.fromPeer().toBytes());
        }
        b.put(e.value());
        return b.array();
    }

    static Entry decode(NodeId key, byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v);
        long expires = b.getLong();
        long stored = b.getLong();
        NodeId peer = null;
        if (b.get() == 1) {
            byte[] id = new byte[NodeId.BYTES];
            b.get(id);
            peer = NodeId.of(id);
        }
        byte[] value = new byte[b.remaining()];
        b.get(value);
        return new Entry(key, value, expires, stored, peer);
    }
}
