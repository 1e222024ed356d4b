package org.p2pdns.dns.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP and TCP, same port) for forwarding tests: answers from a map,
 * NXDOMAIN with an SOA otherwise, truncates UDP answers over 512 bytes, and can be told to stay silent.
 */
public final class FakeUpstream implements AutoCloseable {

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Map<String, List<Record>> records = new ConcurrentHashMap<>();
    private final SOARecord soa;
    private final AtomicInteger udpQueries = new AtomicInteger();
    private final AtomicInteger tcpQueries = new AtomicInteger();
    private volatile boolean silent;
    private final Thread udpThread;
    private final Thread tcpThread;

    public FakeUpstream(Name zone, long negativeTtl) throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        DatagramSocket u = null;
        ServerSocket t = null;
        for (int i = 0; i < 10 && t == null; i++) {
            u = new DatagramSocket(new InetSocketAddress(lo, 0));
            try {
                t = new ServerSocket(u.getLocalPort(), 50, lo);
            } catch (IOException e) {
                u.close();
            }
        }
        if (t == null) {
            throw new IOException("no common free port");
        }
        this.udp = u;
        this.tcp = t;
        this.soa = new SOARecord(zone, 1, negativeTtl, Name.fromConstantString("ns." + zone),
                Name.fromConstantString("admin." + zone), 1, 3600, 600, 86400, negativeTtl);
        udpThread = new Thread(this::serveUdp, "fake-upstream-udp");
        tcpThread = new Thread(this::serveTcp, "fake-upstream-tcp");
        udpThread.setDaemon(true);
        tcpThread.setDaemon(true);
        udpThread.start();
        tcpThread.start();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) udp.getLocalSocketAddress();
    }

    public FakeUpstream add(Record r) {
        records.computeIfAbsent(key(r.getName(), r.getType()), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(r);
        return this;
    }

    public void silent(boolean s) {
        silent = s;
    }

    public int udpQueries() {
        return udpQueries.get();
    }

    public int tcpQueries() {
        return tcpQueries.get();
    }

    private static String key(Name n, int type) {
        return n.toString().toLowerCase(java.util.Locale.ROOT) + "/" + type;
    }

    private byte[] answer(byte[] q, int limit) throws IOException {
        Message query = new Message(q);
        Message r = new Message(query.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        Record question = query.getQuestion();
        r.addRecord(question, Section.QUESTION);
        List<Record> rs = records.get(key(question.getName(), question.getType()));
        if (rs == null) {
            boolean exists = records.keySet().stream().anyMatch(k -> k.startsWith(
                    question.getName().toString().toLowerCase(java.util.Locale.ROOT) + "/"));
            r.getHeader().setRcode(exists ? Rcode.NOERROR : Rcode.NXDOMAIN);
            r.addRecord(soa, Section.AUTHORITY);
        } else {
            rs.forEach(x -> r.addRecord(x, Section.ANSWER));
        }
        return r.toWire(limit);
    }

    private void serveUdp() {
        byte[] buf = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                udpQueries.incrementAndGet();
                if (silent) {
                    continue;
                }
                byte[] q = java.util.Arrays.copyOf(p.getData(), p.getLength());
                byte[] a = answer(q, 512);
                udp.send(new DatagramPacket(a, a.length, p.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a query we cannot parse: ignore
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket s = tcp.accept()) {
                s.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                int len = in.readUnsignedShort();
                byte[] q = in.readNBytes(len);
                tcpQueries.incrementAndGet();
                if (silent) {
                    continue;
                }
                byte[] a = answer(q, 65535);
                out.writeShort(a.length);
                out.write(a);
                out.flush();
            } catch (IOException e) {
                // closed or a broken client: next
            }
        }
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
