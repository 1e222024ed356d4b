package org.p2pdns.intro;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.p2pdns.node.identity.NodeId;
import org.p2pdns.node.intro.PeerInfo;

/**
 * The bootstrap registry: live registrations by node id, bounded in total and per source IP, with expiry and uniform
 * random sampling (an array beside the map, removal by swapping with the last element). Event thread only.
 */
final class Registry {

    /** One registration. Mutable, owned by the registry. */
    static final class Entry {
        final NodeId id;
        final byte[] publicKey;
        InetSocketAddress reflexive;
        List<InetSocketAddress> locals;
        long lastTimestamp;
        long expiresAt;
        int index;

        Entry(NodeId id, byte[] publicKey) {
            this.id = id;
            this.publicKey = publicKey;
        }

        PeerInfo toPeerInfo() {
            return new PeerInfo(publicKey, reflexive, locals);
        }
    }

    /** Result of {@link #admit}. */
    enum Admit { OK, IP_QUOTA, FULL }

    private final int max;
    private final int maxPerIp;
    private final Map<NodeId, Entry> byId = new HashMap<>();
    private final ArrayList<Entry> all = new ArrayList<>();
    private final Map<InetAddress, Integer> perIp = new HashMap<>();

    Registry(int max, int maxPerIp) {
        this.max = max;
        this.maxPerIp = maxPerIp;
    }

    int size() {
        return all.size();
    }

    Entry get(NodeId id) {
        return byId.get(id);
    }

    /** The live entry for {@code id} registered from exactly {@code from}, or null. */
    Entry liveAt(NodeId id, InetSocketAddress from, long now) {
        Entry e = byId.get(id);
        return e != null && e.expiresAt > now && e.reflexive.equals(from) ? e : null;
    }

    /** Checks whether a new entry from {@code ip} may be added (sweeping expired ones when full). */
    Admit admit(InetAddress ip, long now) {
        if (perIp.getOrDefault(ip, 0) >= maxPerIp) {
            sweep(now);
            if (perIp.getOrDefault(ip, 0) >= maxPerIp) {
                return Admit.IP_QUOTA;
            }
        }
        if (all.size() >= max && sweep(now) == 0) {
            return Admit.FULL;
        }
        return Admit.OK;
    }

    /** Adds a new entry (after {@link #admit} said OK). */
    Entry add(NodeId id, byte[] publicKey, InetSocketAddress from) {
        Entry e = new Entry(id, publicKey);
        e.reflexive = from;
        e.index = all.size();
        all.add(e);
        byId.put(id, e);
        perIp.merge(from.getAddress(), 1, Integer::sum);
        return e;
    }

    /** Moves an entry to a new reflexive address, keeping the per-IP counts right. */
    void move(Entry e, InetSocketAddress to) {
        if (!e.reflexive.getAddress().equals(to.getAddress())) {
            decIp(e.reflexive.getAddress());
            perIp.merge(to.getAddress(), 1, Integer::sum);
        }
        e.reflexive = to;
    }

    /** True when {@code ip} may hold one more entry. */
    boolean ipHasRoom(InetAddress ip) {
        return perIp.getOrDefault(ip, 0) < maxPerIp;
    }

    private void decIp(InetAddress ip) {
        perIp.computeIfPresent(ip, (k, v) -> v <= 1 ? null : v - 1);
    }

    private void remove(Entry e) {
        Entry last = all.remove(all.size() - 1);
        if (last != e) {
            all.set(e.index, last);
            last.index = e.index;
        }
        byId.remove(e.id);
        decIp(e.reflexive.getAddress());
    }

    /** Removes every expired entry; returns how many. */
    int sweep(long now) {
        int removed = 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            if (i >= all.size()) {
                continue;
            }
            Entry e = all.get(i);
            if (e.expiresAt <= now) {
                remove(e);
                removed++;
            }
        }
        return removed;
    }

    /** Up to {@code n} distinct live entries other than {@code exclude}, chosen uniformly with {@code random}. */
    List<PeerInfo> sample(Random random, int n, NodeId exclude, long now) {
        List<PeerInfo> out = new ArrayList<>(Math.min(n, all.size()));
        int size = all.size();
        if (n <= 0 || size == 0) {
            return out;
        }
        if (size <= 2 * n) { // small registry: take everything live, in random order
            List<Entry> copy = new ArrayList<>(all);
            java.util.Collections.shuffle(copy, random);
            for (Entry e : copy) {
                if (out.size() == n) {
                    break;
                }
                if (e.expiresAt > now && !e.id.equals(exclude)) {
                    out.add(e.toPeerInfo());
                }
            }
            return out;
        }
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int tries = 0; out.size() < n && tries < 4 * n; tries++) {
            int i = random.nextInt(size);
            if (!seen.add(i)) {
                continue;
            }
            Entry e = all.get(i);
            if (e.expiresAt > now && !e.id.equals(exclude)) {
                out.add(e.toPeerInfo());
            }
        }
        return out;
    }
}
