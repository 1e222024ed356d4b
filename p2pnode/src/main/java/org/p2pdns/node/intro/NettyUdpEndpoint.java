package org.p2pdns.node.intro;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;
import org.p2pdns.node.transport.DatagramReceiver;
import org.p2pdns.node.transport.DatagramTransport;

/**
 * A plain UDP socket on one Netty event loop: the introduction server's socket, and a node's socket in tests and the
 * NAT lab. Its {@link #scheduler()} runs on the same event loop, so a component that uses both has one owner thread.
 */
public final class NettyUdpEndpoint implements DatagramTransport {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NettyUdpEndpoint.class);

    private final EventLoopGroup group;
    private final Channel channel;
    private final Scheduler scheduler;
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong oversized = new AtomicLong();
    private final int maxSend;
    private volatile DatagramReceiver receiver;

    private NettyUdpEndpoint(EventLoopGroup group, Channel channel, Clock clock, int maxSend) {
        this.group = group;
        this.channel = channel;
        this.maxSend = maxSend;
        EventLoop loop = channel.eventLoop();
        this.scheduler = new LoopScheduler(loop, clock);
    }

    /** The channel's event loop as a {@link Scheduler} (so {@code inEventThread} is the loop's own check). */
    private record LoopScheduler(EventLoop loop, Clock clock) implements Scheduler {
        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            try {
                var f = loop.schedule(guard(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            } catch (RejectedExecutionException e) {
                return () -> { };
            }
        }

        @Override
        public void execute(Runnable task) {
            try {
                loop.execute(guard(task));
            } catch (RejectedExecutionException e) {
                LOG.debug("task dropped: event loop shut down");
            }
        }

        @Override
        public boolean inEventThread() {
            return loop.inEventLoop();
        }

        private static Runnable guard(Runnable task) {
            return () -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("event task failed", e);
                }
            };
        }
    }

    /** Binds {@code bind} (port 0 for an ephemeral port); datagrams up to {@code maxSend} bytes may be sent. */
    public static NettyUdpEndpoint bind(InetSocketAddress bind, Clock clock, int maxSend) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        NettyUdpEndpoint[] self = new NettyUdpEndpoint[1];
        try {
            Channel ch = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            ByteBuf c = p.content();
                            byte[] b = new byte[c.readableBytes()];
                            c.readBytes(b);
                            DatagramReceiver r = self[0] == null ? null : self[0].receiver;
                            if (r != null) {
                                try {
                                    r.onDatagram(p.sender(), b);
                                } catch (RuntimeException e) { // a bug in a receiver must not stop the socket
                                    LOG.warn("receiver failed on a datagram from {}", p.sender(), e);
                                }
                            }
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            // ICMP port unreachable etc. surface here; a UDP socket keeps working
                            LOG.debug("udp socket error: {}", cause.toString());
                        }
                    })
                    .bind(bind).sync().channel();
            self[0] = new NettyUdpEndpoint(group, ch, clock, maxSend);
            return self[0];
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** The event-loop scheduler that owns this socket. */
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void send(InetSocketAddress to, byte[] packet) {
        if (packet.length > maxSend) {
            oversized.incrementAndGet();
            return;
        }
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(packet), to)).addListener(f -> {
            if (!f.isSuccess()) {
                sendFailures.incrementAndGet();
            }
        });
    }

    /** Datagrams that could not be sent, and datagrams refused for size. */
    public long sendFailures() {
        return sendFailures.get() + oversized.get();
    }

    @Override
    public void setReceiver(DatagramReceiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2000);
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(3000);
    }
}
