package org.p2pdns.node.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.southernstorm.noise.protocol.DHState;
import com.southernstorm.noise.protocol.Noise;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdentityTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc8032TestVector1() {
        // RFC 8032 section 7.1, TEST 1 (empty message)
        byte[] seed = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        byte[] pub = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] sig = HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        NodeIdentity id = NodeIdentity.fromSeed(seed);
        assertArrayEquals(pub, id.publicKey());
        assertArrayEquals(sig, id.sign(new byte[0]));
        assertTrue(Ed25519.verify(pub, new byte[0], sig));
        assertEquals(NodeId.ofPublicKey(pub), id.id());
    }

    @Test
    void verifyRejectsTamperingAndMalformedInput() {
        NodeIdentity id = NodeIdentity.generate(new Random(1));
        byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] sig = id.sign(msg);
        assertTrue(Ed25519.verify(id.publicKey(), msg, sig));
        byte[] bad = sig.clone();
        bad[10] ^= 1;
        assertFalse(Ed25519.verify(id.publicKey(), msg, bad));
        assertFalse(Ed25519.verify(id.publicKey(), "hellp".getBytes(StandardCharsets.UTF_8), sig));
        assertFalse(Ed25519.verify(NodeIdentity.generate(new Random(2)).publicKey(), msg, sig));
        assertFalse(Ed25519.verify(null, msg, sig));
        assertFalse(Ed25519.verify(new byte[31], msg, sig));
        assertFalse(Ed25519.verify(id.publicKey(), msg, new byte[63]));
        byte[] notAPoint = new byte[32];
        notAPoint[0] = 2; // y = 2 is not on the curve
        assertFalse(Ed25519.verify(notAPoint, msg, sig));
    }

    @Test
    void derivedX25519PublicMatchesPrivateForManyKeys() throws Exception {
        Random r = new Random(42);
        DHState dh = Noise.createDH("25519");
        for (int i = 0; i < 300; i++) {
            NodeIdentity id = NodeIdentity.generate(r);
            byte[] fromEd = X25519Keys.publicKeyFromEd25519(id.publicKey());
            assertArrayEquals(X25519Keys.publicKeyOf(id.x25519PrivateKey()), fromEd, "key " + i);
            assertArrayEquals(id.x25519PublicKey(), fromEd);
            // noise-java computes the same public key from the derived private key
            dh.setPrivateKey(id.x25519PrivateKey(), 0);
            byte[] noisePub = new byte[32];
            dh.getPublicKey(noisePub, 0);
            assertArrayEquals(fromEd, noisePub);
        }
    }

    @Test
    void derivedKeysAgreeOnSharedSecret() {
        Random r = new Random(7);
        NodeIdentity a = NodeIdentity.generate(r);
        NodeIdentity b = NodeIdentity.generate(r);
        byte[] s1 = new byte[32];
        byte[] s2 = new byte[32];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(a.x25519PrivateKey(), 0,
                X25519Keys.publicKeyFromEd25519(b.publicKey()), 0, s1, 0);
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(b.x25519PrivateKey(), 0,
                X25519Keys.publicKeyFromEd25519(a.publicKey()), 0, s2, 0);
        assertArrayEquals(s1, s2);
        assertNotEquals(0, s1[0] | s1[1] | s1[2]);
    }

    @Test
    void libsodiumConversionVector() {
        // RFC 8032 TEST 1 key converted with libsodium crypto_sign_ed25519_{pk,sk}_to_curve25519
        byte[] pub = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] seed = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        // values printed by libsodium 1.0.18 (the system libsodium.so.23, called through ctypes)
        assertArrayEquals(HEX.parseHex("d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e"),
                X25519Keys.publicKeyFromEd25519(pub));
        assertArrayEquals(HEX.parseHex("307c83864f2833cb427a2ef1c00a013cfdff2768d980c0a3a520f006904de94f"),
                X25519Keys.privateKeyFromEd25519Seed(seed));
    }

    @Test
    void conversionRejectsInvalidKeys() {
        assertThrows(IllegalArgumentException.class, () -> X25519Keys.publicKeyFromEd25519(new byte[32]));
        byte[] identity = new byte[32];
        identity[0] = 1; // y = 1: the neutral element, small order
        assertThrows(IllegalArgumentException.class, () -> X25519Keys.publicKeyFromEd25519(identity));
        assertThrows(IllegalArgumentException.class, () -> X25519Keys.publicKeyFromEd25519(new byte[5]));
    }

    @Test
    void everySmallOrderKeyIsRejected() {
        // the eight points of order 1, 2, 4 and 8 (and their other sign bits): DH with them is predictable
        String[] smallOrder = {
            "0100000000000000000000000000000000000000000000000000000000000000",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0000000000000000000000000000000000000000000000000000000000000080",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"};
        for (String hex : smallOrder) {
            assertThrows(IllegalArgumentException.class, () -> X25519Keys.publicKeyFromEd25519(HEX.parseHex(hex)), hex);
        }
    }

    @Test
    void aKeyWithATorsionComponentGivesTheSameSharedSecrets() {
        // A + T with T of order 4 (x = sqrt(-1), y = 0) is (y_A * i, x_A * i): not in the prime-order subgroup, yet
        // clamped X25519 scalars (multiples of 8) cancel T, so every DH output equals the one with A itself
        BigInteger p = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
        BigInteger i = BigInteger.TWO.modPow(p.subtract(BigInteger.ONE).shiftRight(2), p);
        Random r = new Random(11);
        for (int n = 0; n < 20; n++) {
            NodeIdentity a = NodeIdentity.generate(r);
            NodeIdentity b = NodeIdentity.generate(r);
            byte[] enc = a.publicKey();
            byte[] be = new byte[32];
            for (int k = 0; k < 32; k++) {
                be[k] = enc[31 - k];
            }
            boolean sign = (be[0] & 0x80) != 0;
            be[0] &= 0x7f;
            BigInteger y = new BigInteger(1, be);
            BigInteger d = BigInteger.valueOf(-121665)
                    .multiply(BigInteger.valueOf(121666).modInverse(p)).mod(p);
            BigInteger x2 = y.pow(2).subtract(BigInteger.ONE)
                    .multiply(d.multiply(y.pow(2)).add(BigInteger.ONE).modInverse(p)).mod(p);
            BigInteger x = x2.modPow(p.add(BigInteger.valueOf(3)).shiftRight(3), p);
            if (!x.pow(2).mod(p).equals(x2)) {
                x = x.multiply(i).mod(p);
            }
            if (x.testBit(0) != sign) {
                x = p.subtract(x);
            }
            BigInteger x3 = y.multiply(i).mod(p);
            BigInteger y3 = x.multiply(i).mod(p);
            byte[] mixed = new byte[32];
            byte[] y3be = y3.toByteArray();
            for (int k = 0; k < 32 && k < y3be.length; k++) {
                mixed[k] = y3be[y3be.length - 1 - k];
            }
            if (x3.testBit(0)) {
                mixed[31] |= (byte) 0x80;
            }
            assertFalse(org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(mixed, 0), "A + T is mixed order");
            byte[] viaA = new byte[32];
            byte[] viaMixed = new byte[32];
            org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(b.x25519PrivateKey(), 0,
                    X25519Keys.publicKeyFromEd25519(a.publicKey()), 0, viaA, 0);
            org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(b.x25519PrivateKey(), 0,
                    X25519Keys.publicKeyFromEd25519(mixed), 0, viaMixed, 0);
            assertArrayEquals(viaA, viaMixed, "key " + n);
        }
    }

    @Test
    void proofOfWorkVerification() {
        Random r = new Random(3);
        NodeIdentity id = IdProofOfWork.generate(r, 8, IdProofOfWork.Progress.NONE);
        assertTrue(IdProofOfWork.workBits(id.id()) >= 8);
        assertTrue(IdProofOfWork.satisfies(id.id(), 8));
        assertTrue(id.satisfies(8));
        // the work is SHA-256 of the id bytes, recomputed here independently
        assertEquals(IdProofOfWork.workBits(id.id()), NodeId.hashOf(id.id().toBytes()).leadingZeroBits());
        // find an id with exactly zero bits of work: it is rejected at difficulty 1 and accepted at 0
        NodeIdentity weak;
        do {
            weak = NodeIdentity.generate(r);
        } while (IdProofOfWork.workBits(weak.id()) != 0);
        assertFalse(IdProofOfWork.satisfies(weak.id(), 1));
        assertTrue(IdProofOfWork.satisfies(weak.id(), 0));
    }

    @Test
    void proofOfWorkGenerationIsDeterministicForASeedAndReportsProgress() {
        AtomicLong lastAttempts = new AtomicLong();
        AtomicLong expected = new AtomicLong();
        NodeIdentity a = IdProofOfWork.generate(new Random(11), 10, (n, e) -> {
            assertTrue(n > lastAttempts.get());
            lastAttempts.set(n);
            expected.set(e);
        });
        NodeIdentity b = IdProofOfWork.generate(new Random(11), 10, IdProofOfWork.Progress.NONE);
        assertEquals(a, b);
        assertTrue(a.satisfies(10));
        assertEquals(1024, expected.get());
        assertTrue(lastAttempts.get() >= 1);
        assertThrows(IllegalArgumentException.class,
                () -> IdProofOfWork.generate(new Random(1), 33, IdProofOfWork.Progress.NONE));
    }

    @Test
    void difficultyZeroAcceptsEverything() {
        Random r = new Random(5);
        for (int i = 0; i < 100; i++) {
            assertTrue(IdProofOfWork.generate(r, 0, IdProofOfWork.Progress.NONE).satisfies(0));
        }
    }
}
