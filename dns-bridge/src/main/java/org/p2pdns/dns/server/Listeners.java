package org.p2pdns.dns.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.p2pdns.dns.BridgeStats;

/**
 * Binds the bridge's UDP and TCP sockets (same address and port) on a Netty event loop group: native epoll where
 * available (reads up to {@value #BATCH} datagrams per recvmmsg call and writes a batch of answers per sendmmsg call),
 * NIO elsewhere.
 */
public final class Listeners {

    /** Datagrams read per recvmmsg call with epoll. */
    static final int BATCH = 16;
    /**
     * Most datagrams read per wake-up (up to four recvmmsg calls); then other channels get their turn. Read pacing
     * never pauses after a wake-up that reached it (more queries are waiting).
     */
    static final int READ_LIMIT = 4 * BATCH;
    /**
     * Largest query datagram accepted with epoll's batched reads (longer ones are cut and answered FORMERR): far above
     * any real query (a question plus an OPT record with a cookie is under 300 bytes). 16 of them make a 32 KiB read
     * buffer, the largest size the pooled allocator keeps in its per-thread cache.
     */
    static final int MAX_QUERY_DATAGRAM = 2048;

    /** The I/O handler for the event loop group: epoll if the native transport loads, else NIO. */
    public static IoHandlerFactory ioHandlerFactory() {
        return Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** Which transport {@link #ioHandlerFactory()} chose. */
    public static String transportName() {
        return Epoll.isAvailable() ? "epoll" : "nio";
    }

    private final Channel udp;
    private final Channel tcp;
    private final int receiveBuffer;

    private Listeners(Channel udp, Channel tcp, int receiveBuffer) {
        this.udp = udp;
        this.tcp = tcp;
        this.receiveBuffer = receiveBuffer;
    }

    /**
     * Binds UDP first, then TCP on the port UDP got (port 0 picks a free one; if TCP cannot take the same port, a few
     * new ports are tried). UDP reads are paced (see {@link ReadPacer}) at {@code pacingRate} queries/s or more.
     */
    public static Listeners bind(EventLoopGroup group, InetSocketAddress address, ServerCore core, BridgeStats stats,
                                 int receiveBuffer, Duration idle, int maxTcp, int pacingRate, Duration pacingWait)
            throws IOException {
        AtomicInteger open = new AtomicInteger();
        IOException last = null;
        for (int attempt = 0; attempt < (address.getPort() == 0 ? 5 : 1); attempt++) {
            Channel udp = null;
            try {
                boolean epoll = Epoll.isAvailable();
                Bootstrap b = new Bootstrap().group(group)
                        .option(ChannelOption.SO_RCVBUF, receiveBuffer)
                        // Netty 4.2's default adaptive allocator cost a quarter of the cached-answer path's CPU here
                        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
                if (epoll) {
                    SocketProtocolFamily family = socketFamily(address);
                    b.channelFactory(() -> family == null ? new EpollDatagramChannel()
                                    : new EpollDatagramChannel(family))
                            .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_QUERY_DATAGRAM)
                            .option(ChannelOption.RCVBUF_ALLOCATOR,
                                    new FixedRecvByteBufAllocator(MAX_QUERY_DATAGRAM * BATCH)
                                            .maxMessagesPerRead(READ_LIMIT));
                } else {
                    b.channel(NioDatagramChannel.class)
                            .option(ChannelOption.RCVBUF_ALLOCATOR,
                                    new FixedRecvByteBufAllocator(65535).maxMessagesPerRead(READ_LIMIT));
                }
                udp = b.handler(new ChannelInitializer<DatagramChannel>() {
                            @Override
                            protected void initChannel(DatagramChannel ch) {
                                ch.pipeline().addLast(new UdpHandler(core, stats,
                                        new ReadPacer(pacingRate, pacingWait.toNanos(), READ_LIMIT),
                                        System::nanoTime));
                            }
                        })
                        .bind(address).sync().channel();
                InetSocketAddress bound = (InetSocketAddress) udp.localAddress();
                Channel tcp = new ServerBootstrap().group(group)
                        .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, 256)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(
                                        new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS),
                                        new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2),
                                        new LengthFieldPrepender(2),
                                        new TcpHandler(core, stats, open, maxTcp));
                            }
                        })
                        .bind(bound).sync().channel();
                int actual = udp.config().getOption(ChannelOption.SO_RCVBUF);
                return new Listeners(udp, tcp, actual);
            } catch (Exception e) {
                if (udp != null) {
                    udp.close().syncUninterruptibly();
                }
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                last = e instanceof IOException io ? io : new IOException("cannot bind " + address + ": " + e, e);
            }
        }
        throw last;
    }

    /**
     * An IPv4 socket for a specific IPv4 address: Netty's default is a dual-stack IPv6 socket, whose every datagram
     * then goes through the kernel's IPv6 UDP code and v4-mapped addresses. Null (the default) for the wildcard
     * address, which keeps answering on IPv6 as well, and for IPv6 addresses.
     */
    static SocketProtocolFamily socketFamily(InetSocketAddress address) {
        InetAddress a = address.getAddress();
        return a instanceof Inet4Address && !a.isAnyLocalAddress() ? SocketProtocolFamily.INET : null;
    }

    public InetSocketAddress udpAddress() {
        return (InetSocketAddress) udp.localAddress();
    }

    public InetSocketAddress tcpAddress() {
        return (InetSocketAddress) tcp.localAddress();
    }

    /** SO_RCVBUF as granted by the kernel (Linux reports twice the usable size, capped by net.core.rmem_max). */
    public int receiveBuffer() {
        return receiveBuffer;
    }

    public void close() {
        udp.close().syncUninterruptibly();
        tcp.close().syncUninterruptibly();
    }
}
