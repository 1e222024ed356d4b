package org.p2pdns.node.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.transport.TransportStats.Counter;

/**
 * The node's one UDP socket, on Netty: sends datagrams from any thread without blocking and hands received ones to the
 * receiver on the node's {@link Scheduler}. Datagrams over {@link #MAX_DATAGRAM} bytes are dropped and counted in both
 * directions.
 */
public final class UdpTransport implements DatagramTransport {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UdpTransport.class);

    /** Socket receive buffer requested (the kernel may grant less: see {@link #receiveBufferSize()}). */
    public static final int RECEIVE_BUFFER_REQUEST = 4 << 20;
    /** Read buffer per datagram: larger than MAX_DATAGRAM so an oversized datagram is seen as such, not truncated. */
    static final int READ_BUFFER = 2048;

    private final Scheduler scheduler;
    private final TransportStats stats;
    private final EventLoopGroup ownedGroup;
    private final Channel channel;
    private final InetSocketAddress local;
    private volatile DatagramReceiver receiver;

    private UdpTransport(Scheduler scheduler, TransportStats stats, EventLoopGroup group, boolean owned,
                         InetSocketAddress bindTo) throws IOException {
        this.scheduler = scheduler;
        this.stats = stats;
        this.ownedGroup = owned ? group : null;
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER_REQUEST)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(READ_BUFFER))
                .handler(new Inbound());
        try {
            this.channel = b.bind(bindTo).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdownOwned();
            throw new IOException("interrupted while binding UDP " + bindTo, e);
        } catch (Exception e) {
            shutdownOwned();
            throw new IOException("cannot bind UDP " + bindTo + ": " + e.getMessage(), e);
        }
        this.local = (InetSocketAddress) channel.localAddress();
        LOG.debug("UDP bound to {} (receive buffer {} bytes)", local, receiveBufferSize());
    }

    /** Binds {@code bindTo} (port 0 picks a free port) with its own single I/O thread. */
    public static UdpTransport bind(InetSocketAddress bindTo, Scheduler scheduler, TransportStats stats)
            throws IOException {
        return new UdpTransport(scheduler, stats, new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()), true,
                bindTo);
    }

    /**
     * Binds {@code bindTo} on a caller-owned Netty group (so many nodes in one JVM share a few I/O threads); closing
     * this transport leaves the group running.
     */
    public static UdpTransport bind(InetSocketAddress bindTo, Scheduler scheduler, TransportStats stats,
                                    EventLoopGroup sharedGroup) throws IOException {
        return new UdpTransport(scheduler, stats, sharedGroup, false, bindTo);
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    /** The receive buffer the kernel granted (bytes). */
    public int receiveBufferSize() {
        return ((io.netty.channel.socket.DatagramChannelConfig) channel.config()).getReceiveBufferSize();
    }

    /** The counters this transport writes to. */
    public TransportStats stats() {
        return stats;
    }

    @Override
    public void send(InetSocketAddress to, byte[] packet) {
        if (packet.length > MAX_DATAGRAM) {
            stats.increment(Counter.OVERSIZED_SEND_DROPPED);
            LOG.warn("refusing to send a {}-byte datagram to {} (max {})", packet.length, to, MAX_DATAGRAM);
            return;
        }
        if (!channel.isActive()) {
            stats.increment(Counter.SEND_FAILED);
            return;
        }
        stats.increment(Counter.DATAGRAMS_SENT);
        stats.add(Counter.BYTES_SENT, packet.length);
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(packet), to)).addListener(f -> {
            if (!f.isSuccess()) {
                stats.increment(Counter.SEND_FAILED);
                LOG.debug("UDP send to {} failed: {}", to, f.cause().toString());
            }
        });
    }

    @Override
    public void setReceiver(DatagramReceiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public void close() {
        try {
            channel.close().await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdownOwned();
    }

    private void shutdownOwned() {
        if (ownedGroup != null) {
            ownedGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
            ByteBuf buf = msg.content();
            int n = buf.readableBytes();
            stats.increment(Counter.DATAGRAMS_RECEIVED);
            stats.add(Counter.BYTES_RECEIVED, n);
            if (n > MAX_DATAGRAM) {
                stats.increment(Counter.OVERSIZED_RECEIVE_DROPPED);
                return;
            }
            DatagramReceiver r = receiver;
            if (r == null) {
                stats.increment(Counter.NO_RECEIVER_DROPPED);
                return;
            }
            byte[] data = new byte[n];
            buf.readBytes(data);
            InetSocketAddress from = msg.sender();
            scheduler.execute(() -> r.onDatagram(from, data));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // e.g. ICMP port unreachable surfaced as PortUnreachableException: a UDP socket keeps going
            LOG.debug("UDP channel error on {}: {}", local, cause.toString());
        }
    }
}
