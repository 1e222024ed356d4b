package org.p2pdns.intro.tools;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.IntroCodec;
import org.p2pdns.node.intro.IntroMessage;

/**
 * Load generator for an introduction server on loopback: signed registrations, rendezvous requests and bad packets
 * (malformed, oversized, unsigned) at fixed rates from many 127.x source addresses, with per-second figures.
 * Registrations are signed before the run so that the generator's own signing does not limit the rate.
 *
 * <pre>IntroLoadGenerator --target IP:PORT [--seconds 60] [--reg-rate 10000] [--rdv-rate 1000] [--bad-rate 300]
 *     [--keys 60000] [--sources 250] [--seed 1]</pre>
 */
public final class IntroLoadGenerator {
    private IntroLoadGenerator() {
    }

    private static final int R_REGISTERED = 0;
    private static final int R_PUNCH = 1;
    private static final int R_ERROR = 2;
    private static final int R_OTHER = 3;

    public static void main(String[] args) throws Exception {
        InetSocketAddress target = null;
        int seconds = 60;
        int regRate = 10_000;
        int rdvRate = 1_000;
        int badRate = 300;
        int keys = 60_000;
        int sources = 250;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--target" -> {
                    int c = v.lastIndexOf(':');
                    target = new InetSocketAddress(InetAddress.getByName(v.substring(0, c)),
                            Integer.parseInt(v.substring(c + 1)));
                }
                case "--seconds" -> seconds = Integer.parseInt(v);
                case "--reg-rate" -> regRate = Integer.parseInt(v);
                case "--rdv-rate" -> rdvRate = Integer.parseInt(v);
                case "--bad-rate" -> badRate = Integer.parseInt(v);
                case "--keys" -> keys = Integer.parseInt(v);
                case "--sources" -> sources = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        if (target == null) {
            throw new IllegalArgumentException("--target IP:PORT is required");
        }
        run(target, seconds, regRate, rdvRate, badRate, keys, sources, seed);
    }

    static void run(InetSocketAddress target, int seconds, int regRate, int rdvRate, int badRate, int keyCount,
                    int sourceCount, long seed) throws Exception {
        long prep0 = System.nanoTime();
        Random random = new Random(seed);
        byte[][] seeds = new byte[keyCount][32];
        for (byte[] s : seeds) {
            random.nextBytes(s);
        }
        Ed25519PrivateKeyParameters[] keys = new Ed25519PrivateKeyParameters[keyCount];
        NodeId[] ids = new NodeId[keyCount];
        IntStream.range(0, keyCount).parallel().forEach(k -> {
            keys[k] = new Ed25519PrivateKeyParameters(seeds[k]);
            ids[k] = NodeId.ofPublicKey(keys[k].generatePublicKey().getEncoded());
        });
        int total = regRate * seconds;
        long ts0 = System.currentTimeMillis();
        byte[][] regs = new byte[total][];
        IntStream.range(0, total).parallel().forEach(j -> {
            int k = j % keyCount;
            regs[j] = IntroCodec.encode(IntroCodec.signRegister(keys[k], j + 1L, ts0 + j * 1000L / regRate, 16, 0,
                    List.of(new InetSocketAddress("192.0.2.10", 4000 + k % 1000))));
        });
        List<DatagramChannel> channels = new ArrayList<>();
        Selector selector = Selector.open();
        for (int i = 0; i < sourceCount; i++) {
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(new InetSocketAddress(InetAddress.getByName("127.1." + (i / 250) + "." + (i % 250 + 1)), 0));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            channels.add(ch);
        }
        System.out.printf("prepared %d keys, %d signed registrations, %d sources in %.1f s%n", keyCount, total,
                sourceCount, (System.nanoTime() - prep0) / 1e9);

        AtomicLongArray received = new AtomicLongArray(4);
        Thread reader = new Thread(() -> readLoop(selector, received), "load-reader");
        reader.setDaemon(true);
        reader.start();

        long[] sent = new long[3]; // reg, rdv, bad
        long start = System.nanoTime();
        long nextReport = start + 1_000_000_000L;
        long[] lastSent = new long[3];
        long[] lastRecv = new long[4];
        int reg = 0;
        long rdv = 0;
        long bad = 0;
        ByteBuffer buf = ByteBuffer.allocate(2048);
        while (true) {
            long now = System.nanoTime();
            double t = (now - start) / 1e9;
            if (t >= seconds) {
                break;
            }
            long regDue = Math.min(total, (long) (t * regRate));
            while (reg < regDue) {
                send(channels.get((reg % keyCount) % sourceCount), target, regs[reg], buf);
                regs[reg] = null; // let the memory go
                reg++;
                sent[0]++;
            }
            long rdvDue = (long) (t * rdvRate);
            while (rdv < rdvDue && reg > regRate) {
                // a requester and a target that registered within the last second, so both are live
                int a = (reg - 1 - random.nextInt(regRate)) % keyCount;
                int b = (reg - 1 - random.nextInt(regRate)) % keyCount;
                if (a != b) {
                    byte[] m = IntroCodec.encode(new IntroMessage.Rendezvous(rdv + 1, ids[a], ids[b]));
                    send(channels.get(a % sourceCount), target, m, buf);
                    sent[1]++;
                }
                rdv++;
            }
            long badDue = (long) (t * badRate);
            while (bad < badDue) {
                byte[] m = switch ((int) (bad % 3)) {
                    case 0 -> { // malformed: right type and version, garbage after
                        byte[] g = new byte[20 + random.nextInt(100)];
                        random.nextBytes(g);
                        g[0] = 0x60;
                        g[1] = 1;
                        yield g;
                    }
                    case 1 -> { // oversized
                        byte[] g = new byte[1400];
                        g[0] = 0x66;
                        g[1] = 1;
                        yield g;
                    }
                    default -> { // unsigned: a well-formed REGISTER whose signature is zero
                        byte[] g = IntroCodec.encode(new IntroMessage.Register(bad, keys[0].generatePublicKey()
                                .getEncoded(), System.currentTimeMillis() + bad, 4, 0, List.of(), new byte[64]));
                        yield g;
                    }
                };
                send(channels.get((int) (bad % sourceCount)), target, m, buf);
                sent[2]++;
                bad++;
            }
            if (now >= nextReport) {
                System.out.printf("t=%2ds sent/s reg=%d rdv=%d bad=%d | received/s registered=%d punch_now=%d "
                                + "error=%d%n", (int) Math.round(t), sent[0] - lastSent[0], sent[1] - lastSent[1],
                        sent[2] - lastSent[2], received.get(R_REGISTERED) - lastRecv[0],
                        received.get(R_PUNCH) - lastRecv[1], received.get(R_ERROR) - lastRecv[2]);
                System.arraycopy(sent, 0, lastSent, 0, 3);
                for (int i = 0; i < 4; i++) {
                    lastRecv[i] = received.get(i);
                }
                nextReport += 1_000_000_000L;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(300_000); // pace without burning a core
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        // let the last replies arrive (a bounded wait for in-flight datagrams, not for an event)
        Thread.sleep(1000);
        System.out.printf("TOTAL seconds=%.1f sent reg=%d (%.0f/s) rdv=%d (%.0f/s) bad=%d | received registered=%d "
                        + "punch_now=%d error=%d other=%d%n", elapsed, sent[0], sent[0] / elapsed, sent[1],
                sent[1] / elapsed, sent[2], received.get(R_REGISTERED), received.get(R_PUNCH),
                received.get(R_ERROR), received.get(R_OTHER));
        selector.close();
        for (DatagramChannel ch : channels) {
            ch.close();
        }
    }

    private static void send(DatagramChannel ch, InetSocketAddress to, byte[] m, ByteBuffer buf) {
        try {
            ch.send(ByteBuffer.wrap(m), to);
        } catch (IOException e) {
            // counted by the server side as missing; keep going
        }
    }

    private static void readLoop(Selector selector, AtomicLongArray received) {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        try {
            while (selector.isOpen()) {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    DatagramChannel ch = (DatagramChannel) k.channel();
                    while (true) {
                        buf.clear();
                        if (ch.receive(buf) == null) {
                            break;
                        }
                        int type = buf.get(0) & 0xff;
                        received.incrementAndGet(type == IntroCodec.REGISTERED ? R_REGISTERED
                                : type == IntroCodec.PUNCH_NOW ? R_PUNCH : type == IntroCodec.ERROR ? R_ERROR
                                : R_OTHER);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // closed at the end of the run
        }
    }
}
