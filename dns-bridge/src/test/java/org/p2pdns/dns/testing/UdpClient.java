package org.p2pdns.dns.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** A raw UDP DNS client for tests: sends any bytes, receives with a bounded wait. */
public final class UdpClient implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress server;

    public UdpClient(InetSocketAddress server) throws IOException {
        this.server = server;
        this.socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
        // tests send bursts of hundreds of queries: the usual 208 KiB would drop answers (each costs the buffer about
        // 1 KiB whatever its size) whenever the reading thread is late on a loaded machine
        socket.setReceiveBufferSize(2 << 20);
        socket.setSoTimeout(5000);
    }

    public void send(byte[] b) throws IOException {
        socket.send(new DatagramPacket(b, b.length, server));
    }

    /** The next datagram, or null if none comes within {@code timeoutMillis}. */
    public byte[] receive(int timeoutMillis) throws IOException {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("a receive needs a bounded wait");
        }
        socket.setSoTimeout(timeoutMillis);
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    public Message receiveMessage() throws IOException {
        byte[] b = receive(5000);
        if (b == null) {
            throw new IOException("no answer within 5 s");
        }
        return new Message(b);
    }

    /** Sends a query and returns the answer (fails the test if none comes within 5 s). */
    public Message ask(Message query) throws IOException {
        send(query.toWire());
        return receiveMessage();
    }

    public static Message query(String name, int type, int id) {
        try {
            Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, 1));
            m.getHeader().setID(id);
            return m;
        } catch (IOException e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    public static Message query(String name, String type, int id) {
        return query(name, Type.value(type), id);
    }

    @Override
    public void close() {
        socket.close();
    }
}
