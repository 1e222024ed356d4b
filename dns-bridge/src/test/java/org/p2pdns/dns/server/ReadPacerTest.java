package org.p2pdns.dns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.p2pdns.dns.BridgeStats;
import org.p2pdns.dns.BridgeStats.Counter;
import org.p2pdns.dns.testing.MutableClock;
import org.p2pdns.dns.testing.UdpClient;

/** Read pacing: when it pauses (the rate rule, on a driven clock), and the UDP handler's pause and resume. */
class ReadPacerTest {

    static final long MS = 1_000_000;
    static final long WAIT = 100_000;

    /** Feeds batches of {@code size} every {@code gapNanos} for {@code durationNanos}; returns the pauses asked. */
    static int feed(ReadPacer p, long[] now, int size, long gapNanos, long durationNanos) {
        int pauses = 0;
        for (long end = now[0] + durationNanos; now[0] < end; now[0] += gapNanos) {
            if (p.afterBatch(size, now[0]) > 0) {
                pauses++;
            }
        }
        return pauses;
    }

    @Test
    void belowTheRateReadsAreNeverPaused() {
        ReadPacer p = new ReadPacer(30_000, WAIT, 64);
        long[] now = {5 * MS};
        // 2 queries every 100 us = 20,000/s for a second
        assertEquals(0, feed(p, now, 2, 100_000, 1000 * MS));
        assertFalse(p.busy());
    }

    @Test
    void atTheRatePausesStartAfterOneWindowAndStopWhenTheRateFalls() {
        ReadPacer p = new ReadPacer(30_000, WAIT, 64);
        long[] now = {0};
        // 5 every 100 us = 50,000/s: two windows (10 ms each) are measured before any pause
        int first = feed(p, now, 5, 100_000, 2 * ReadPacer.WINDOW_NANOS);
        assertEquals(0, first, "no pause before two whole windows were measured");
        assertEquals(WAIT, p.afterBatch(5, now[0]), "the second window closed at 50,000/s: paced");
        now[0] += 100_000;
        assertTrue(feed(p, now, 5, 100_000, 100 * MS) >= 990, "paced while the rate holds");
        // exactly the rate is paced: 3 every 100 us = 30,000/s
        feed(p, now, 3, 100_000, 2 * ReadPacer.WINDOW_NANOS);
        assertTrue(p.busy(), "30,000/s is at the rate");
        // the rate falls to 29,000/s (29 per ms): the first window that holds only the lower rate stops pacing (the
        // window open when the rate fell still holds some of the higher rate)
        feed(p, now, 29, MS, 3 * ReadPacer.WINDOW_NANOS);
        assertFalse(p.busy());
        assertEquals(0, p.afterBatch(29, now[0]));
    }

    @Test
    void oneWindowOverTheRateIsABurstNotLoad() {
        ReadPacer p = new ReadPacer(30_000, WAIT, 64);
        long[] now = {0};
        for (int round = 0; round < 10; round++) {
            // a 10 ms burst at 50,000/s between 30 ms at 20,000/s, again and again
            assertEquals(0, feed(p, now, 2, 100_000, 3 * ReadPacer.WINDOW_NANOS));
            assertEquals(0, feed(p, now, 5, 100_000, ReadPacer.WINDOW_NANOS), "a lone window over the rate");
        }
        assertFalse(p.busy());
    }

    @Test
    void aBatchThatFilledTheReadLimitIsNotFollowedByAPause() {
        ReadPacer p = new ReadPacer(30_000, WAIT, 64);
        long[] now = {0};
        feed(p, now, 10, 100_000, 3 * ReadPacer.WINDOW_NANOS);
        assertTrue(p.busy());
        assertEquals(0, p.afterBatch(64, now[0]), "64 read, more may be waiting: read on");
        assertEquals(WAIT, p.afterBatch(63, now[0] + 1), "63: the socket was drained");
    }

    @Test
    void aBatchAfterAQuietSpellEndsPacing() {
        ReadPacer p = new ReadPacer(30_000, WAIT, 64);
        long[] now = {0};
        feed(p, now, 10, 100_000, 3 * ReadPacer.WINDOW_NANOS);
        assertTrue(p.busy());
        // quiet for 3 days (a rate computed over it must not overflow), then one big batch
        now[0] += TimeUnit.DAYS.toNanos(3);
        assertEquals(0, p.afterBatch(16, now[0]), "the window held 3 days of quiet: not busy");
        assertFalse(p.busy());
    }

    @Test
    void offNeverPausesAndBadSettingsAreRefused() {
        long[] now = {0};
        assertEquals(0, feed(ReadPacer.off(), now, 16, 10_000, 100 * MS));
        assertEquals(0, feed(new ReadPacer(30_000, 0, 64), now, 16, 10_000, 100 * MS), "no wait: off");
        assertEquals(0, feed(new ReadPacer(0, WAIT, 64), now, 16, 10_000, 100 * MS), "no rate: off");
        assertThrows(IllegalArgumentException.class, () -> new ReadPacer(-1, WAIT, 64));
        assertThrows(IllegalArgumentException.class, () -> new ReadPacer(1, -1, 64));
        assertThrows(IllegalArgumentException.class, () -> new ReadPacer(1, WAIT, 0));
    }

    @Test
    void theHandlerStopsReadingForTheWaitThenReadsAgain() throws Exception {
        BridgeStats stats = new BridgeStats();
        ServerCore core = FastPathTest.core(new MutableClock(), stats);
        long[] now = {0};
        ReadPacer pacer = new ReadPacer(1, WAIT, 64); // one query a second is enough: every batch after two windows
        UdpHandler handler = new UdpHandler(core, stats, pacer, () -> now[0]);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(handler);
        ch.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5354);
        InetSocketAddress client = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
        int id = 1;
        for (int batch = 0; batch < 4; batch++) {
            for (int i = 0; i < 4; i++) {
                byte[] raw = UdpClient.query("example.p2p.", "A", id++).toWire();
                ch.pipeline().fireChannelRead(new DatagramPacket(Unpooled.wrappedBuffer(raw), local, client));
            }
            ch.pipeline().fireChannelReadComplete();
            now[0] += ReadPacer.WINDOW_NANOS; // each batch closes a window: 400 queries/s, over the rate
        }
        assertFalse(ch.config().isAutoRead(), "reading stopped after a batch over the rate");
        assertEquals(1, stats.get(Counter.READ_PAUSES), "no pause before two windows were over the rate");
        int answers = 0;
        for (Object out; (out = ch.readOutbound()) != null; answers++) {
            ((DatagramPacket) out).release();
        }
        assertEquals(16, answers, "a pause comes after the batch's answers are sent");

        ch.advanceTimeBy(WAIT - 1, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.config().isAutoRead(), "not before the wait is over");
        ch.advanceTimeBy(1, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.config().isAutoRead(), "reading again after the wait");

        // the next batch pauses again, once
        byte[] raw = UdpClient.query("example.p2p.", "A", id).toWire();
        ch.pipeline().fireChannelRead(new DatagramPacket(Unpooled.wrappedBuffer(raw), local, client));
        ch.pipeline().fireChannelReadComplete();
        assertFalse(ch.config().isAutoRead());
        assertEquals(2, stats.get(Counter.READ_PAUSES));
        ((DatagramPacket) ch.readOutbound()).release();
        assertNull(ch.readOutbound());
        assertFalse(ch.finish());
    }
}
