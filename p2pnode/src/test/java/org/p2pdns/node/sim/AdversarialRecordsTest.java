package org.p2pdns.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.DhtStats;
import org.p2pdns.node.dht.GetResult;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.dht.ValuePolicy;
import org.p2pdns.node.dht.ValueStore;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.record.TestRecords;
import org.p2pdns.node.wire.DhtCodec;
import org.p2pdns.node.wire.FindNodeMessage;
import org.p2pdns.node.wire.FindValueMessage;
import org.p2pdns.node.wire.NodesMessage;
import org.p2pdns.node.wire.PingMessage;
import org.p2pdns.node.wire.PongMessage;
import org.p2pdns.node.wire.StoreMessage;
import org.p2pdns.node.wire.StoreResultMessage;
import org.p2pdns.node.wire.ValueMessage;

/**
 * Adversarial (a): 20% of 150 simulated nodes answer every FIND_VALUE with a bad record (forged: a genuine record
 * altered; rolled back: the owner's older sequence; replayed after expiry; oversized; another name's valid record)
 * and every FIND_NODE / FIND_VALUE with wrong closest nodes (made-up contacts, near the key for names, that never
 * answer), and claim to store what they drop. Real signed records and the real {@link RecordPolicy}. No bad record may
 * reach a lookup's caller or an honest store, and at least 99% of lookups must return the current record.
 */
class AdversarialRecordsTest {

    private static final NetworkParams PARAMS = NetworkParams.TEST;
    private static final int NODES = 150;
    private static final int MALICIOUS = NODES / 5;
    private static final int NAMES = 40;
    private static final int LOOKUPS = 200;

    /** One published name: its current record, the older one, an expired one, and fake contacts near its key. */
    private record Name(NodeId key, SignedRecord current, SignedRecord older, SignedRecord expired,
                        List<Contact> fakesNear) {
    }

    @Test
    void badRecordsAreNeverAcceptedAndLookupsSucceed() {
        SimNetwork net = new SimNetwork(2026, SimConfig.defaults());
        RecordPolicy policy = new RecordPolicy(PARAMS);
        for (int i = 0; i < NODES; i++) {
            net.addNode(policy);
        }
        net.bootstrapAll(Duration.ofMinutes(10));
        Random rnd = new Random(7);
        long nowS = net.scheduler().nowMillis() / 1000;

        Map<NodeId, Name> names = new HashMap<>();
        List<Name> list = new ArrayList<>();
        for (int i = 0; i < NAMES; i++) {
            byte[] seed = new byte[32];
            rnd.nextBytes(seed);
            OwnerKey owner = OwnerKey.fromSeed(seed);
            String n = "name" + i + ".p2p";
            SignedRecord expired = SignedRecord.sign(n, owner, 1, nowS - 7200, nowS - 3600, 60, 0,
                    TestRecords.aRecord(n, 1));
            SignedRecord older = SignedRecord.sign(n, owner, 2, nowS - 60, nowS + 86_400, 60, 0,
                    TestRecords.aRecord(n, 2));
            SignedRecord current = SignedRecord.sign(n, owner, 3, nowS, nowS + 86_400, 60, 0,
                    TestRecords.aRecord(n, 3));
            Name name = new Name(current.dhtKey(), current, older, expired, fakesNear(current.dhtKey(), rnd, i));
            names.put(name.key, name);
            list.add(name);
        }

        List<SimNode> honest = new ArrayList<>(net.nodes());
        Set<SimNode> bad = new HashSet<>();
        while (bad.size() < MALICIOUS) {
            bad.add(honest.get(rnd.nextInt(honest.size())));
        }
        honest.removeAll(bad);
        int[] variant = {0};
        for (SimNode b : bad) {
            AdversarialNodes.makeMalicious(b, (self, from, req) -> {
                byte[] token = new byte[8];
                if (req instanceof PingMessage p) {
                    return DhtCodec.encode(new PongMessage(p.requestId()));
                } else if (req instanceof FindNodeMessage f) {
                    return DhtCodec.encode(new NodesMessage(f.requestId(), token, fakes(rnd, 20)));
                } else if (req instanceof StoreMessage s) {
                    return DhtCodec.encode(new StoreResultMessage(s.requestId(), StoreOutcome.STORED));
                } else if (req instanceof FindValueMessage f) {
                    Name name = names.get(f.key());
                    if (name == null) {
                        return DhtCodec.encode(new NodesMessage(f.requestId(), token, fakes(rnd, 20)));
                    }
                    return switch (variant[0]++ % 6) {
                        case 0 -> value(f, token, forged(name.current, rnd), name);
                        case 1 -> value(f, token, name.older.encoded(), name);
                        case 2 -> value(f, token, name.expired.encoded(), name);
                        case 3 -> AdversarialNodes.rawValueReply(f.requestId(), token,
                                new byte[ValuePolicy.MAX_VALUE_BYTES + 50], List.of()); // fits a message, not a value
                        case 4 -> value(f, token, list.get((list.indexOf(name) + 1) % NAMES).current.encoded(), name);
                        default -> value(f, token, resigned(name.current), name);
                    };
                }
                return null;
            });
        }

        for (Name n : list) {
            SimNode publisher = honest.get(rnd.nextInt(honest.size()));
            await(net, publisher.dht().put(n.key, n.older.encoded()));
            await(net, publisher.dht().put(n.key, n.current.encoded()));
        }

        int ok = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < LOOKUPS; i++) {
            Name n = list.get(rnd.nextInt(NAMES));
            SimNode reader = honest.get(rnd.nextInt(honest.size()));
            List<byte[]> offered = new ArrayList<>();
            GetResult g = await(net, reader.dht().get(n.key, offered::add));
            for (byte[] v : offered) {
                assertTrue(Arrays.equals(v, n.current.encoded()) || Arrays.equals(v, n.older.encoded()),
                        "a bad record reached the caller of a lookup for " + n.current.name());
            }
            if (g.status() == GetResult.Status.FOUND && Arrays.equals(g.value(), n.current.encoded())) {
                ok++;
            } else {
                failures.add(n.current.name() + " from " + reader + ": " + g.status());
            }
        }

        long refused = 0;
        long malformed = 0;
        for (SimNode h : honest) {
            refused += h.dht().stats().get(DhtStats.Counter.VALUE_INVALID);
            malformed += h.dht().stats().get(DhtStats.Counter.DROP_MALFORMED);
        }
        // the attack really happened: bad values reached honest lookups and were refused there
        assertTrue(refused >= LOOKUPS, "only " + refused + " bad values were refused: the attack did not run");
        assertTrue(malformed > 0, "no oversized reply was dropped");
        long now = net.scheduler().nowMillis();
        int held = 0;
        for (SimNode h : honest) {
            for (ValueStore.Entry e : h.store().entries()) {
                Name n = names.get(e.key());
                assertTrue(n != null, "an honest node holds a value under an unknown key");
                assertEquals(StoreOutcome.STORED, policy.validate(e.key(), e.value(), null, now));
                assertTrue(Arrays.equals(e.value(), n.current.encoded()), h + " holds an old or bad record for "
                        + n.current.name());
                held++;
            }
        }
        System.out.printf("adversarial (a): %d nodes, %d malicious, %d names, %d/%d lookups returned the current "
                + "record, %d honest replicas held (all current and valid), %d bad values refused, %d oversized replies "
                + "dropped%n", NODES, MALICIOUS, NAMES, ok, LOOKUPS, held, refused, malformed);
        assertTrue(ok >= LOOKUPS * 99 / 100, ok + "/" + LOOKUPS + " lookups succeeded; failures: " + failures);
    }

    private static byte[] value(FindValueMessage f, byte[] token, byte[] v, Name name) {
        return DhtCodec.encode(new ValueMessage(f.requestId(), token, v, name.fakesNear));
    }

    /** The genuine record with one byte of its A record changed: the signature no longer covers it. */
    private static byte[] forged(SignedRecord r, Random rnd) {
        byte[] b = r.encoded();
        b[b.length - 64 - 1 - rnd.nextInt(3)] ^= 0x01;
        return b;
    }

    /** The genuine record with its sequence raised, under the owner's old signature. */
    private static byte[] resigned(SignedRecord r) {
        byte[] b = r.encoded();
        int seqAt = 1 + 1 + r.name().length() + 32 + 7;
        b[seqAt] = (byte) 99;
        return b;
    }

    /** {@code n} made-up contacts (random keys, addresses where nobody listens). */
    private static List<Contact> fakes(Random rnd, int n) {
        List<Contact> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] key = new byte[32];
            rnd.nextBytes(key);
            out.add(Contact.of(key, new InetSocketAddress("172.16." + rnd.nextInt(256) + "." + (1 + i), 4000)));
        }
        return out;
    }

    /** Ten made-up contacts whose ids share at least 8 leading bits with {@code key}: closer than most real nodes. */
    private static List<Contact> fakesNear(NodeId key, Random rnd, int nameIndex) {
        List<Contact> out = new ArrayList<>();
        byte[] k = new byte[32];
        while (out.size() < 10) {
            rnd.nextBytes(k);
            Contact c = Contact.of(k.clone(), new InetSocketAddress("172.17." + nameIndex + "." + (1 + out.size()),
                    4000));
            if (c.id().commonPrefixLength(key) >= 8) {
                out.add(c);
            }
        }
        return out;
    }

    static <T> T await(SimNetwork net, CompletableFuture<T> f) {
        assertTrue(net.scheduler().runUntil(f::isDone, Duration.ofMinutes(2)), "future did not complete");
        return f.join();
    }
}
