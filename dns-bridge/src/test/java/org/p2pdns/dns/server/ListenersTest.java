package org.p2pdns.dns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.channel.socket.SocketProtocolFamily;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Which socket family the UDP listener asks Netty for. */
class ListenersTest {

    @Test
    void aSpecificIpv4AddressGetsAnIpv4SocketTheWildcardKeepsDualStack() {
        assertEquals(SocketProtocolFamily.INET, Listeners.socketFamily(new InetSocketAddress("127.0.0.1", 5354)));
        assertEquals(SocketProtocolFamily.INET, Listeners.socketFamily(new InetSocketAddress("192.0.2.1", 53)));
        assertNull(Listeners.socketFamily(new InetSocketAddress("0.0.0.0", 53)), "0.0.0.0 also answers on IPv6");
        assertNull(Listeners.socketFamily(new InetSocketAddress("::1", 53)));
        assertNull(Listeners.socketFamily(new InetSocketAddress("::", 53)));
    }
}
