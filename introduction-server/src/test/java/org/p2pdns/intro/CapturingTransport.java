package org.p2pdns.intro;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.node.intro.IntroCodec;
import org.p2pdns.node.intro.IntroMessage;
import org.p2pdns.node.transport.DatagramReceiver;
import org.p2pdns.node.transport.DatagramTransport;

/** A transport that records what is sent, for sans-IO tests of the server core. */
final class CapturingTransport implements DatagramTransport {
    record Sent(InetSocketAddress to, byte[] packet) {
        IntroMessage decoded() {
            try {
                return IntroCodec.decode(packet);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    final List<Sent> sent = new ArrayList<>();

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 7460);
    }

    @Override
    public void send(InetSocketAddress to, byte[] packet) {
        sent.add(new Sent(to, packet));
    }

    @Override
    public void setReceiver(DatagramReceiver receiver) {
    }

    @Override
    public void close() {
    }

    Sent last() {
        return sent.get(sent.size() - 1);
    }

    IntroMessage lastMessage() {
        return last().decoded();
    }
}
