package org.p2pdns.node.dht.routing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.identity.NodeId;

/** The checks every contact passes before the routing table or a lookup uses it. */
public final class ContactRules {

    /** Why a contact was refused, or OK. */
    public enum Verdict { OK, BAD_ID, BAD_POW }

    private ContactRules() {
    }

    /** Checks that the id is SHA-256 of the key and that SHA-256(id) has {@code difficultyBits} leading zero bits. */
    public static Verdict verify(Contact c, int difficultyBits) {
        if (!NodeId.ofPublicKey(c.publicKey()).equals(c.id())) {
            return Verdict.BAD_ID;
        }
        if (difficultyBits > 0 && !meetsDifficulty(c.id(), difficultyBits)) {
            return Verdict.BAD_POW;
        }
        return Verdict.OK;
    }

    /** The node-id proof of work: SHA-256 of the id's 32 bytes has at least {@code bits} leading zero bits. */
    public static boolean meetsDifficulty(NodeId id, int bits) {
        if (bits <= 0) {
            return true;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(id.toBytes());
            return NodeId.of(h).leadingZeroBits() >= bits;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The network prefix an address counts under for the per-prefix limits: its /24 (IPv4) or /48 (IPv6), tagged by
     * family so the two never collide.
     */
    public static long prefixOf(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return 4L << 56 | (b[0] & 0xffL) << 16 | (b[1] & 0xffL) << 8 | (b[2] & 0xffL);
        }
        long p = 6L << 56;
        for (int i = 0; i < 6; i++) {
            p |= (b[i] & 0xffL) << (8 * (5 - i));
        }
        return p;
    }
}
