package org.p2pdns.node.identity;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Random;
import org.p2pdns.node.dht.Contact;

/**
 * A node's (or a name owner's) Ed25519 key pair, with the values derived from it: the node id (SHA-256 of the public
 * key) and the X25519 key pair that is the node's Noise static key. Immutable.
 */
public final class NodeIdentity {

    private final byte[] seed;
    private final byte[] publicKey;
    private final NodeId id;
    private final byte[] x25519Private;
    private final byte[] x25519Public;

    private NodeIdentity(byte[] seed, byte[] publicKey) {
        this.seed = seed;
        this.publicKey = publicKey;
        this.id = NodeId.ofPublicKey(publicKey);
        this.x25519Private = X25519Keys.privateKeyFromEd25519Seed(seed);
        this.x25519Public = X25519Keys.publicKeyOf(x25519Private);
    }

    /** The identity of a 32-byte Ed25519 seed. */
    public static NodeIdentity fromSeed(byte[] seed) {
        byte[] s = seed.clone();
        return new NodeIdentity(s, Ed25519.publicKeyOf(s));
    }

    /** Package use: a seed whose public key was just computed. */
    static NodeIdentity of(byte[] seed, byte[] publicKey) {
        return new NodeIdentity(seed.clone(), publicKey.clone());
    }

    /** A fresh identity with no proof of work (the simulator, name owner keys). */
    public static NodeIdentity generate(Random random) {
        byte[] s = new byte[Ed25519.SEED_BYTES];
        random.nextBytes(s);
        return fromSeed(s);
    }

    /** A fresh identity whose id carries {@code difficultyBits} of proof of work; see {@link IdProofOfWork}. */
    public static NodeIdentity generate(Random random, int difficultyBits, IdProofOfWork.Progress progress) {
        return IdProofOfWork.generate(random, difficultyBits, progress);
    }

    /** The node id: SHA-256 of the public key. */
    public NodeId id() {
        return id;
    }

    /** A copy of the Ed25519 public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** A copy of the Ed25519 seed (the private key); only the key file should need it. */
    public byte[] seed() {
        return seed.clone();
    }

    /** A copy of the X25519 private scalar derived from the seed (the Noise static private key). */
    public byte[] x25519PrivateKey() {
        return x25519Private.clone();
    }

    /** A copy of the X25519 public key (equal to {@link X25519Keys#publicKeyFromEd25519} of the public key). */
    public byte[] x25519PublicKey() {
        return x25519Public.clone();
    }

    /** Signs {@code message} with this key. */
    public byte[] sign(byte[] message) {
        return Ed25519.sign(seed, publicKey, message);
    }

    /** True when {@code signature} is this key's signature of {@code message}. */
    public boolean verify(byte[] message, byte[] signature) {
        return Ed25519.verify(publicKey, message, signature);
    }

    /** True when the id carries at least {@code difficultyBits} of proof of work. */
    public boolean satisfies(int difficultyBits) {
        return IdProofOfWork.satisfies(id, difficultyBits);
    }

    /** This node as a contact at {@code address}. */
    public Contact contact(InetSocketAddress address) {
        return new Contact(id, publicKey, address);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeIdentity n && Arrays.equals(publicKey, n.publicKey) && Arrays.equals(seed, n.seed);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /** Shows the id only, never the key. */
    @Override
    public String toString() {
        return "NodeIdentity[" + id.shortHex() + "]";
    }
}
