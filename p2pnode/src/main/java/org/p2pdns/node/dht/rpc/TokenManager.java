package org.p2pdns.node.dht.rpc;

import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.p2pdns.node.identity.NodeId;

/**
 * Write tokens: a reply to FIND_NODE / FIND_VALUE carries HMAC-SHA256(secret, requester id || requester IP) cut to
 * {@link #TOKEN_BYTES}; a STORE must bring one back. The secret rotates every {@code rotationMillis}; tokens made with
 * the current or the previous secret are accepted, so a token lives between one and two rotation periods.
 */
public final class TokenManager {

    /** Length of a token. */
    public static final int TOKEN_BYTES = 16;

    private final Random random;
    private final long rotationMillis;
    private byte[] current;
    private byte[] previous;
    private long rotatedAt;
    private Mac mac;

    public TokenManager(Random random, long rotationMillis, long nowMillis) {
        this.random = random;
        this.rotationMillis = rotationMillis;
        this.current = newSecret();
        this.previous = newSecret();
        this.rotatedAt = nowMillis;
    }

    private byte[] newSecret() {
        byte[] s = new byte[32];
        random.nextBytes(s);
        return s;
    }

    private void maybeRotate(long now) {
        long elapsed = now - rotatedAt;
        if (elapsed >= 2 * rotationMillis) {
            previous = newSecret();
            current = newSecret();
            rotatedAt = now;
        } else if (elapsed >= rotationMillis) {
            previous = current;
            current = newSecret();
            rotatedAt += rotationMillis;
        }
    }

    /** The token to give {@code requester} speaking from {@code ip} at {@code now}. */
    public byte[] tokenFor(NodeId requester, InetAddress ip, long now) {
        maybeRotate(now);
        return compute(current, requester, ip);
    }

    /** Whether {@code token} is one this node gave {@code requester} at {@code ip} under the current or last secret. */
    public boolean isValid(byte[] token, NodeId requester, InetAddress ip, long now) {
        maybeRotate(now);
        if (token == null || token.length != TOKEN_BYTES) {
            return false;
        }
        return MessageDigest.isEqual(token, compute(current, requester, ip))
                || MessageDigest.isEqual(token, compute(previous, requester, ip));
    }

    private byte[] compute(byte[] secret, NodeId requester, InetAddress ip) {
        try {
            if (mac == null) {
                mac = Mac.getInstance("HmacSHA256");
            }
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(requester.toBytes());
            mac.update(ip.getAddress());
            return Arrays.copyOf(mac.doFinal(), TOKEN_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
        }
    }
}
