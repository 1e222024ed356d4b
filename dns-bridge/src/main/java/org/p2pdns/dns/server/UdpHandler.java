package org.p2pdns.dns.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;

/**
 * Netty adapter for DNS over UDP. Answers written while a batch of datagrams is being read are flushed once at the
 * end of the batch; answers that complete later (after a DHT lookup or an upstream query) are flushed at once.
 */
final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private final ServerCore core;
    private final BridgeStats stats;
    private boolean inRead;

    UdpHandler(ServerCore core, BridgeStats stats) {
        this.core = core;
        this.stats = stats;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        inRead = true;
        stats.inc(Counter.QUERIES_UDP);
        InetSocketAddress sender = packet.sender();
        long fast = core.fastPath(packet.content(), sender, ctx.alloc(),
                out -> ctx.write(new DatagramPacket(out, sender)));
        if (fast == ServerCore.ANSWERED) {
            return;
        }
        byte[] raw = ByteBufUtil.getBytes(packet.content());
        core.process(raw, sender, false, wire -> {
            DatagramPacket reply = new DatagramPacket(Unpooled.wrappedBuffer(wire), sender);
            if (ctx.executor().inEventLoop() && inRead) {
                ctx.write(reply);
            } else {
                ctx.writeAndFlush(reply);
            }
        }, fast);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP socket error (e.g. ICMP port unreachable for an earlier reply) must not close the server socket.
        stats.inc(Counter.INTERNAL_ERRORS);
    }
}
