package org.p2pdns.node.dht;

import java.net.InetSocketAddress;
import java.util.Arrays;
import org.p2pdns.node.identity.NodeId;

/**
 * A peer as the DHT knows it: its id, its Ed25519 public key (so a secure session can be opened to it in one round
 * trip) and the UDP address to reach it at. {@code id} must equal SHA-256({@code publicKey}); {@link #of} checks it.
 */
public record Contact(NodeId id, byte[] publicKey, InetSocketAddress address) {

    public Contact {
        if (id == null || publicKey == null || address == null) {
            throw new IllegalArgumentException("contact fields must not be null");
        }
        if (publicKey.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
        }
        publicKey = publicKey.clone();
    }

    /** A contact whose id is derived from its public key. */
    public static Contact of(byte[] publicKey, InetSocketAddress address) {
        return new Contact(NodeId.ofPublicKey(publicKey), publicKey, address);
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The same peer at another address (e.g. the address its packets actually come from). */
    public Contact withAddress(InetSocketAddress newAddress) {
        return new Contact(id, publicKey, newAddress);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Contact c && id.equals(c.id) && Arrays.equals(publicKey, c.publicKey)
                && address.equals(c.address);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + address.hashCode();
    }

    @Override
    public String toString() {
        return id.shortHex() + "@" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
