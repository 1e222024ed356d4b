package org.p2pdns.dns.testing;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.p2pdns.node.api.NameResolver;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.api.ResolveStatus;
import org.xbill.DNS.Record;

/**
 * A NameResolver backed by a map from registered name to record set, with controllable failures and a "hold" mode
 * in which futures stay pending until the test releases them.
 */
public final class FakeResolver implements NameResolver {

    private final Clock clock;
    private final Map<String, Resolution> names = new ConcurrentHashMap<>();
    private final Map<String, ResolveStatus> failures = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<Resolution>> held = new CopyOnWriteArrayList<>();
    private final List<String> heldNames = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean hold;
    private final java.util.Set<String> holdNames = ConcurrentHashMap.newKeySet();

    public FakeResolver(Clock clock) {
        this.clock = clock;
    }

    /** Publishes {@code records} under the registered name {@code name} (e.g. "example.p2p"). */
    public FakeResolver publish(String name, long ttl, long lifetimeSeconds, Record... records) {
        names.put(key(name), new Resolution(ResolveStatus.FOUND, key(name) + ".", List.of(records), ttl,
                clock.millis() + lifetimeSeconds * 1000, 1, false, ""));
        failures.remove(key(name));
        return this;
    }

    public FakeResolver put(String name, Resolution r) {
        names.put(key(name), r);
        return this;
    }

    /** From now on, resolving {@code name} ends with {@code status} (TIMEOUT, NO_PEERS...). */
    public FakeResolver fail(String name, ResolveStatus status) {
        failures.put(key(name), status);
        return this;
    }

    public FakeResolver heal(String name) {
        failures.remove(key(name));
        return this;
    }

    public void hold(boolean on) {
        hold = on;
    }

    /** Holds resolutions of {@code name} only (other names answer at once). */
    public void hold(String name) {
        holdNames.add(key(name));
    }

    /** Completes every held resolution. */
    public void release() {
        List<CompletableFuture<Resolution>> fs = new ArrayList<>(held);
        List<String> ns = new ArrayList<>(heldNames);
        held.clear();
        heldNames.clear();
        holdNames.clear();
        for (int i = 0; i < fs.size(); i++) {
            fs.get(i).complete(answer(ns.get(i)));
        }
    }

    public int heldCount() {
        return held.size();
    }

    public int calls() {
        return count.get();
    }

    public List<String> callNames() {
        return List.copyOf(calls);
    }

    @Override
    public CompletableFuture<Resolution> resolve(String name) {
        count.incrementAndGet();
        calls.add(name);
        if (hold || holdNames.contains(key(name))) {
            CompletableFuture<Resolution> f = new CompletableFuture<>();
            heldNames.add(name);
            held.add(f);
            return f;
        }
        return CompletableFuture.completedFuture(answer(name));
    }

    private Resolution answer(String name) {
        String k = key(name);
        ResolveStatus fail = failures.get(k);
        if (fail != null) {
            return Resolution.of(fail, k + ".", "injected " + fail);
        }
        Resolution r = names.get(k);
        return r != null ? r : Resolution.of(ResolveStatus.NOT_FOUND, k + ".", "no record at the closest nodes");
    }

    private static String key(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
