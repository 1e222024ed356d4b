package org.p2pdns.dns.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;

/**
 * Netty adapter for DNS over TCP (RFC 7766): frames arrive already split on their 2-byte length; several queries per
 * connection, answered as they complete (possibly out of order); closes idle connections and connections beyond the
 * cap.
 */
final class TcpHandler extends ChannelInboundHandlerAdapter {

    private final ServerCore core;
    private final BridgeStats stats;
    private final AtomicInteger open;
    private final int maxConnections;
    private boolean counted;

    TcpHandler(ServerCore core, BridgeStats stats, AtomicInteger open, int maxConnections) {
        this.core = core;
        this.stats = stats;
        this.open = open;
        this.maxConnections = maxConnections;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        counted = true;
        if (open.incrementAndGet() > maxConnections) {
            stats.inc(Counter.TCP_REJECTED);
            ctx.close();
            return;
        }
        stats.inc(Counter.TCP_CONNECTIONS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            open.decrementAndGet();
            counted = false;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        byte[] raw;
        try {
            raw = ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
        stats.inc(Counter.QUERIES_TCP);
        core.process(raw, (InetSocketAddress) ctx.channel().remoteAddress(), true, wire -> {
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(wire));
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            stats.inc(Counter.TCP_IDLE_CLOSED);
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset connection or a frame that is too long: close this connection only
        ctx.close();
    }
}
