package org.p2pdns.dns.server;

/**
 * Read pacing of the UDP listener under load: while queries arrive at {@code minRate} per second or more, the listener
 * stops reading for {@code waitNanos} after each read batch, so that the next wake-up reads (and the following
 * {@code sendmmsg} answers) several times as many queries.
 *
 * <p>Why: answering from the cache, most of a query's CPU is not the answer but the wake-ups around it. The server
 * thread sleeps and wakes once per read batch, and each batch of answers wakes the client's thread on another CPU
 * (an inter-processor interrupt; in a virtual machine also an exit to the hypervisor). A client sending its queries in
 * bursts (dnsperf at 50,000 queries/s sends about 10,000 bursts a second) makes the bridge wake for every burst of
 * about 5. Pausing 100 us between reads halves the wake-ups and cut the CPU per cached query by about a fifth
 * (docs/benchmarks.md). The price is latency: up to {@code waitNanos} more per query, paid only at rates where the
 * server is busy; below {@code minRate} every query is read as soon as it arrives.
 *
 * <p>The arrival rate is measured over windows of at least {@link #WINDOW_NANOS}: datagrams read in the window
 * divided by its length. Pacing starts when two windows in a row were at or above the rate (one short burst, such as
 * a client catching up after a stall, does not start it) and stops after the first window below it. A window is
 * closed by the first batch read after it is long enough, so a batch after a quiet spell closes a window whose rate
 * counts the quiet time, and pacing stops. A batch that stopped at the read limit (the most datagrams one wake-up
 * reads) is never followed by a pause: more queries are waiting, and pausing would cap the throughput at one read
 * limit per pause. Not thread-safe: one per channel, used on its event loop. Times come from the caller (a monotonic
 * nanosecond clock), so tests drive it directly. On from 30,000 queries/s by default
 * ({@code BridgeConfig.readPacingRate}).
 */
final class ReadPacer {

    /** Shortest window the arrival rate is measured over. */
    static final long WINDOW_NANOS = 10_000_000;

    private final long minRate;
    private final long waitNanos;
    private final int readLimit;
    private boolean started;
    private long windowStart;
    private long windowCount;
    private boolean lastOver;
    private boolean busy;

    /**
     * @param minRate   queries per second at or above which reads are paced; 0 turns pacing off
     * @param waitNanos how long reading stops after each batch while paced; 0 turns pacing off
     * @param readLimit the most datagrams one wake-up reads (Netty's max messages per read)
     */
    ReadPacer(long minRate, long waitNanos, int readLimit) {
        if (minRate < 0 || waitNanos < 0 || readLimit < 1) {
            throw new IllegalArgumentException("minRate and waitNanos must be >= 0 and readLimit >= 1, got "
                    + minRate + ", " + waitNanos + ", " + readLimit);
        }
        this.minRate = minRate;
        this.waitNanos = waitNanos;
        this.readLimit = readLimit;
    }

    /** Pacing that never pauses. */
    static ReadPacer off() {
        return new ReadPacer(0, 0, 1);
    }

    boolean enabled() {
        return minRate > 0 && waitNanos > 0;
    }

    /**
     * Called after a read batch of {@code datagrams} at {@code nowNanos}.
     *
     * @return how many nanoseconds to stop reading before the next batch, 0 to read again at once
     */
    long afterBatch(int datagrams, long nowNanos) {
        if (!enabled()) {
            return 0;
        }
        if (!started) {
            started = true;
            windowStart = nowNanos;
        }
        windowCount += datagrams;
        long elapsed = nowNanos - windowStart;
        if (elapsed >= WINDOW_NANOS) {
            boolean over = windowCount * 1e9 / elapsed >= minRate; // in double: days of quiet cannot overflow
            busy = over && lastOver; // two windows in a row over the rate: a client's catch-up burst is not load
            lastOver = over;
            windowStart = nowNanos;
            windowCount = 0;
        }
        return busy && datagrams < readLimit ? waitNanos : 0;
    }

    /** Whether the last closed window was at or above the rate (pauses are being made). */
    boolean busy() {
        return busy;
    }
}
