package org.p2pdns.node.sim;

import java.util.function.Supplier;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.DhtConfig;
import org.p2pdns.node.dht.DhtNode;
import org.p2pdns.node.dht.ValuePolicy;
import org.p2pdns.node.dht.ValueStore;

/** One node of a {@link SimNetwork}: the real {@link DhtNode} over a simulated transport. */
public final class SimNode {

    final int index;
    final Contact contact;
    final SimTransport transport;
    final ValuePolicy policy;
    final Supplier<ValueStore> stores;
    final DhtConfig config;
    ValueStore store;
    DhtNode dht;
    boolean alive = true;
    boolean started;

    SimNode(int index, Contact contact, SimTransport transport, ValuePolicy policy, Supplier<ValueStore> stores,
            DhtConfig config) {
        this.index = index;
        this.contact = contact;
        this.transport = transport;
        this.policy = policy;
        this.stores = stores;
        this.config = config;
    }

    /** The node's DHT (a new instance after each {@link SimNetwork#revive}). */
    public DhtNode dht() {
        return dht;
    }

    public Contact contact() {
        return contact;
    }

    public boolean alive() {
        return alive;
    }

    /** The node's value store (kept across kill and revive, like a persistent store). */
    public ValueStore store() {
        return store;
    }

    /** Position in {@link SimNetwork#nodes()}. */
    public int index() {
        return index;
    }

    /** Messages this node's transport refused or lost (oversized, to dead or unknown nodes, partitioned, lost). */
    public long messagesDropped() {
        return transport.dropped;
    }

    @Override
    public String toString() {
        return "SimNode#" + index + "(" + contact + (alive ? ")" : ", dead)");
    }
}
