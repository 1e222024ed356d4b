package org.p2pdns.node.nat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.node.intro.IntroMessage;
import org.p2pdns.node.time.Cancellable;
import org.p2pdns.node.time.Scheduler;

/**
 * An {@link IntroClient}'s guest registrations: registrations with introduction servers other than its current one,
 * made on demand to reach peers registered only there. At most {@code maxGuests} at once (more are refused and
 * counted); each is refreshed like the main registration (echoing the server's address cookie) and dropped at a
 * refresh once no path through its server was used for {@code guestIdle}. Event thread only.
 */
final class GuestRegistrations {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GuestRegistrations.class);

    /** Sends one signed REGISTER (asking for no peers) to {@code server}, echoing {@code cookie}. */
    @FunctionalInterface
    interface Registrar {
        CompletableFuture<IntroMessage.Registered> register(InetSocketAddress server, long cookie);
    }

    private static final class Guest {
        final InetSocketAddress server;
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        long cookie;
        long lastUsedMillis;
        boolean registered;
        Cancellable refresh;

        Guest(InetSocketAddress server) {
            this.server = server;
        }
    }

    private final IntroClientConfig config;
    private final Scheduler scheduler;
    private final Registrar registrar;
    private final Map<InetSocketAddress, Guest> guests = new LinkedHashMap<>();
    private boolean stopped;
    private long registrations;
    private long refusals;
    private long dropped;

    GuestRegistrations(IntroClientConfig config, Scheduler scheduler, Registrar registrar) {
        this.config = config;
        this.scheduler = scheduler;
        this.registrar = registrar;
    }

    /** Completes once registered at {@code server} as a guest (see {@link IntroClient#ensureRegistered}). */
    CompletableFuture<Void> ensure(InetSocketAddress server) {
        if (stopped) {
            return CompletableFuture.failedFuture(new IllegalStateException("intro client stopped"));
        }
        long now = scheduler.nowMillis();
        Guest g = guests.get(server);
        if (g != null) {
            g.lastUsedMillis = now;
            return g.ready.copy();
        }
        if (guests.size() >= config.maxGuests()) {
            for (Guest old : new ArrayList<>(guests.values())) {
                if (now - old.lastUsedMillis >= config.guestIdle().toMillis()) {
                    drop(old, true);
                }
            }
        }
        if (guests.size() >= config.maxGuests()) {
            refusals++;
            return CompletableFuture.failedFuture(new IllegalStateException("already " + guests.size()
                    + " guest registrations (the limit); not registering at " + server));
        }
        g = new Guest(server);
        g.lastUsedMillis = now;
        guests.put(server, g);
        registrations++;
        register(g);
        return g.ready.copy();
    }

    private void register(Guest g) {
        registrar.register(g.server, g.cookie).whenComplete((reg, e) -> {
            if (stopped || guests.get(g.server) != g) {
                return;
            }
            if (e == null) {
                g.cookie = reg.cookie();
                g.registered = true;
                g.ready.complete(null);
                g.refresh = scheduler.schedule(IntroClient.refreshDelay(reg.ttlSeconds(), config.refreshInterval()),
                        () -> refresh(g));
            } else {
                LOG.debug("guest registration at {} failed: {}", g.server, e.toString());
                g.ready.completeExceptionally(e);
                drop(g, false);
            }
        });
    }

    private void refresh(Guest g) {
        if (guests.get(g.server) != g) {
            return;
        }
        if (scheduler.nowMillis() - g.lastUsedMillis >= config.guestIdle().toMillis()) {
            drop(g, true);
        } else {
            register(g);
        }
    }

    private void drop(Guest g, boolean idle) {
        if (g == null || !guests.remove(g.server, g)) {
            return;
        }
        if (g.refresh != null) {
            g.refresh.cancel();
        }
        if (idle) {
            dropped++;
            LOG.debug("guest registration at {} dropped after {} idle", g.server, config.guestIdle());
        }
        // the server forgets it after its ttl: the protocol has no way to unregister
    }

    /** True when a guest registration at {@code server} is in place. */
    boolean isRegistered(InetSocketAddress server) {
        Guest g = guests.get(server);
        return g != null && g.registered;
    }

    /** True when a guest registration at {@code server} is in place or being made. */
    boolean holds(InetSocketAddress server) {
        return guests.containsKey(server);
    }

    /** A path through {@code server} was used: its guest registration (if any) is not idle. */
    void touch(InetSocketAddress server) {
        Guest g = guests.get(server);
        if (g != null) {
            g.lastUsedMillis = scheduler.nowMillis();
        }
    }

    /** The main registration now covers {@code server}: no guest registration there. */
    void forget(InetSocketAddress server) {
        drop(guests.get(server), false);
    }

    /** {@code server} says it does not know us (it restarted): register there again now. */
    void registerAgain(InetSocketAddress server) {
        Guest g = guests.get(server);
        if (g != null && g.registered) {
            if (g.refresh != null) {
                g.refresh.cancel();
            }
            register(g);
        }
    }

    void stop() {
        stopped = true;
        for (Guest g : guests.values()) {
            if (g.refresh != null) {
                g.refresh.cancel();
            }
            g.ready.completeExceptionally(new IllegalStateException("intro client stopped"));
        }
        guests.clear();
    }

    int count() {
        int n = 0;
        for (Guest g : guests.values()) {
            n += g.registered ? 1 : 0;
        }
        return n;
    }

    List<InetSocketAddress> servers() {
        return guests.values().stream().filter(g -> g.registered).map(g -> g.server).toList();
    }

    long registrations() {
        return registrations;
    }

    long refusals() {
        return refusals;
    }

    long dropped() {
        return dropped;
    }
}
