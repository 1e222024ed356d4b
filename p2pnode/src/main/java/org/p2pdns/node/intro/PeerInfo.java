package org.p2pdns.node.intro;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.p2pdns.node.identity.NodeId;

/**
 * A registered node as an introduction server hands it out: its Ed25519 public key, the address the server saw its
 * packets come from (reflexive) and the addresses it bound locally (for peers behind the same NAT).
 */
public record PeerInfo(byte[] publicKey, InetSocketAddress reflexive, List<InetSocketAddress> locals) {

    /** Most local endpoints carried per peer. */
    public static final int MAX_LOCALS = 4;

    public PeerInfo {
        if (publicKey == null || publicKey.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
        }
        if (reflexive == null || locals == null) {
            throw new IllegalArgumentException("endpoints must not be null");
        }
        if (locals.size() > MAX_LOCALS) {
            throw new IllegalArgumentException("at most " + MAX_LOCALS + " local endpoints");
        }
        publicKey = publicKey.clone();
        locals = List.copyOf(locals);
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The peer as a DHT contact at its reflexive address (the key lets the first message ride the handshake). */
    public org.p2pdns.node.dht.Contact toContact() {
        return org.p2pdns.node.dht.Contact.of(publicKey, reflexive);
    }

    /** SHA-256 of the key. */
    public NodeId id() {
        return NodeId.ofPublicKey(publicKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerInfo p && Arrays.equals(publicKey, p.publicKey) && reflexive.equals(p.reflexive)
                && locals.equals(p.locals);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey) * 31 + reflexive.hashCode();
    }
}
