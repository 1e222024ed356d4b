package org.p2pdns.intro;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.p2pdns.node.intro.IntroCodec;
import org.p2pdns.node.intro.NettyUdpEndpoint;

/**
 * A running introduction server: the intro-message socket (one Netty event loop owning all state) and the STUN
 * responder. What {@code p2p --intro-server} and {@link IntroServerMain} start.
 */
public final class IntroServer implements AutoCloseable {

    private final NettyUdpEndpoint endpoint;
    private final StunResponder stun;
    private final IntroServerCore core;
    private final Counters counters;

    private final java.util.concurrent.ExecutorService verifier;

    private IntroServer(NettyUdpEndpoint endpoint, StunResponder stun, IntroServerCore core, Counters counters,
                        java.util.concurrent.ExecutorService verifier) {
        this.verifier = verifier;
        this.endpoint = endpoint;
        this.stun = stun;
        this.core = core;
        this.counters = counters;
    }

    /** Starts a server with the system clock and a secure random source. */
    public static IntroServer start(IntroServerConfig config) throws IOException, InterruptedException {
        return start(config, Clock.systemUTC(), new java.security.SecureRandom());
    }

    /** Starts a server; {@code random} seeds the peer sampling, punch tokens and the cookie secret. */
    public static IntroServer start(IntroServerConfig config, Clock clock, Random random)
            throws IOException, InterruptedException {
        Counters counters = new Counters();
        StunResponder stun = null;
        if (config.stunPort() >= 0) {
            stun = StunResponder.start(new InetSocketAddress(config.bind().getAddress(), config.stunPort()), counters);
        }
        NettyUdpEndpoint ep;
        try {
            ep = NettyUdpEndpoint.bind(config.bind(), clock, IntroCodec.MAX_MESSAGE);
        } catch (Exception e) { // Netty rethrows a BindException undeclared
            if (stun != null) {
                stun.close();
            }
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            throw e instanceof IOException io ? io : new IOException("cannot bind " + config.bind() + ": " + e, e);
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        java.util.concurrent.ThreadPoolExecutor verifier = new java.util.concurrent.ThreadPoolExecutor(threads,
                threads, 0, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(VERIFY_QUEUE), r -> {
                    Thread t = new Thread(r, "intro-verify");
                    t.setDaemon(true);
                    return t;
                });
        IntroServerCore core = new IntroServerCore(config, ep.scheduler(), ep, random, counters, verifier);
        ep.setReceiver(core);
        ep.scheduler().execute(core::start);
        return new IntroServer(ep, stun, core, counters, verifier);
    }

    /** Registrations waiting for signature verification, at most (beyond: REJECT_OVERLOADED). */
    static final int VERIFY_QUEUE = 8192;

    /** The intro-message address (with the actual port when 0 was configured). */
    public InetSocketAddress address() {
        return endpoint.localAddress();
    }

    /** The STUN address, or null when STUN is off. */
    public InetSocketAddress stunAddress() {
        return stun == null ? null : stun.localAddress();
    }

    /** One line for the user: what runs where. */
    public String describe() {
        InetSocketAddress a = address();
        InetSocketAddress s = stunAddress();
        return "introduction server on udp " + a.getAddress().getHostAddress() + ":" + a.getPort()
                + (s == null ? " (no STUN)" : ", STUN on udp " + s.getAddress().getHostAddress() + ":" + s.getPort());
    }

    public Counters counters() {
        return counters;
    }

    /** Registrations held, read on the event thread. */
    public int registrations() {
        try {
            return CompletableFuture.supplyAsync(core::registrations, endpoint.scheduler()).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return -1;
        }
    }

    @Override
    public void close() {
        endpoint.scheduler().execute(core::stop);
        endpoint.close();
        verifier.shutdownNow();
        if (stun != null) {
            stun.close();
        }
    }
}
