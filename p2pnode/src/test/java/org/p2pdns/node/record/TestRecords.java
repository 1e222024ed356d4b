package org.p2pdns.node.record;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

/** Fixed keys, record sets and records shared by the record tests (and the spec's test vectors). */
public final class TestRecords {
    private TestRecords() {
    }

    /** Seed of the vector owner key: bytes 0x00..0x1f. */
    public static final byte[] SEED_A = HexFormat.of().parseHex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    /** Seed of a second owner: 32 bytes of 0x42. */
    public static final byte[] SEED_B = HexFormat.of().parseHex(
            "4242424242424242424242424242424242424242424242424242424242424242");
    /** 2026-01-01T00:00:00Z in epoch seconds. */
    public static final long T0 = 1_767_225_600L;

    public static OwnerKey keyA() {
        return OwnerKey.fromSeed(SEED_A);
    }

    public static OwnerKey keyB() {
        return OwnerKey.fromSeed(SEED_B);
    }

    public static Name name(String s) {
        return Name.fromConstantString(s.endsWith(".") ? s : s + ".");
    }

    /** A, AAAA, TXT and MX records for {@code registered} (given out of order and in mixed case on purpose). */
    public static List<Record> sampleSet(String registered) {
        try {
            Name reg = name(registered);
            Name www = name("WWW." + registered);
            List<Record> rrs = new ArrayList<>();
            rrs.add(new TXTRecord(reg, DClass.IN, 60, "hello p2p"));
            rrs.add(new AAAARecord(reg, DClass.IN, 60, java.net.InetAddress.getByName("2001:db8::1")));
            rrs.add(new ARecord(reg, DClass.IN, 60, java.net.InetAddress.getByName("192.0.2.1")));
            rrs.add(new CNAMERecord(www, DClass.IN, 60, reg));
            rrs.add(new MXRecord(reg, DClass.IN, 60, 10, name("mail." + registered)));
            return rrs;
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** One A record at {@code registered} with the given last address byte. */
    public static List<Record> aRecord(String registered, int last) {
        try {
            return List.of(new ARecord(name(registered), DClass.IN, 60,
                    java.net.InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) last})));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Vector 1: example.p2p, owner A, 8 bits of proof of work. */
    public static SignedRecord vector1() {
        OwnerKey a = keyA();
        long nonce = ProofOfWork.solve("example.p2p", a.publicKey(), 8, ProofOfWork.Progress.NONE);
        return SignedRecord.sign("example.p2p", a, 1, T0, T0 + 86_400, 300, nonce, sampleSet("example.p2p"));
    }

    /** Vector 2: the self-certifying name of owner A, one A record, no proof of work. */
    public static SignedRecord vector2() {
        OwnerKey a = keyA();
        String name = a.selfCertifyingLabel() + ".p2p";
        return SignedRecord.sign(name, a, 7, T0, T0 + 3_600, 60, 0, aRecord(name, 7));
    }
}
