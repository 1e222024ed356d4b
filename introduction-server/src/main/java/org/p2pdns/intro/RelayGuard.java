package org.p2pdns.intro;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.p2pdns.node.identity.NodeId;

/**
 * Caps on relaying: per session (an unordered pair of nodes) on bytes and time, per sending IP on bytes per minute,
 * and on the number of sessions. A session that used up its time stays refused for as long again, so that the cap
 * cannot be reset by pausing. Event thread only.
 */
final class RelayGuard {

    private record Pair(NodeId lo, NodeId hi) {
        static Pair of(NodeId a, NodeId b) {
            return a.compareTo(b) <= 0 ? new Pair(a, b) : new Pair(b, a);
        }
    }

    private static final class Session {
        final long start;
        long bytes;

        Session(long start) {
            this.start = start;
        }
    }

    private static final class Window {
        long start;
        long bytes;
    }

    private final long bytesPerSession;
    private final long sessionMillis;
    private final long bytesPerIpPerMinute;
    private final int maxSessions;
    private final Map<Pair, Session> sessions = new HashMap<>();
    private final Map<InetAddress, Window> perIp = new HashMap<>();

    RelayGuard(long bytesPerSession, long sessionMillis, long bytesPerIpPerMinute, int maxSessions) {
        this.bytesPerSession = bytesPerSession;
        this.sessionMillis = sessionMillis;
        this.bytesPerIpPerMinute = bytesPerIpPerMinute;
        this.maxSessions = maxSessions;
    }

    /** Accounts {@code bytes} from {@code from} to {@code to} sent by {@code ip}; false if a cap refuses it. */
    boolean allow(NodeId from, NodeId to, InetAddress ip, int bytes, long now) {
        Pair key = Pair.of(from, to);
        Session s = sessions.get(key);
        if (s != null && now - s.start >= 2 * sessionMillis) {
            sessions.remove(key); // cooled down: a fresh session may start
            s = null;
        }
        if (s == null) {
            if (sessions.size() >= maxSessions && sweep(now) == 0) {
                return false;
            }
            s = new Session(now);
            sessions.put(key, s);
        }
        if (now - s.start >= sessionMillis || s.bytes + bytes > bytesPerSession) {
            return false;
        }
        Window w = perIp.computeIfAbsent(ip, k -> new Window());
        if (now - w.start >= 60_000) {
            w.start = now;
            w.bytes = 0;
        }
        if (w.bytes + bytes > bytesPerIpPerMinute) {
            return false;
        }
        w.bytes += bytes;
        s.bytes += bytes;
        return true;
    }

    /** Drops cooled-down sessions and idle windows; returns how many sessions went. */
    int sweep(long now) {
        int n = 0;
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            if (now - it.next().start >= 2 * sessionMillis) {
                it.remove();
                n++;
            }
        }
        perIp.values().removeIf(w -> now - w.start >= 60_000);
        return n;
    }

    int sessions() {
        return sessions.size();
    }
}
