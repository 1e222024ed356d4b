package org.p2pdns.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The bench-agent protocol, version 1 (/work/shared/bench-agent/PROTOCOL.md): JSON lines over stdin/stdout, one reply
 * per request carrying its {@code id}, replies in any order (requests run concurrently), stdout for replies only.
 * Malformed lines get an error reply (with the id when one can be read) and never stop the agent.
 */
public final class BenchAgent {

    /** How long a start request waits for its nodes' initial joins before replying anyway. */
    static final java.time.Duration JOIN_WAIT = java.time.Duration.ofSeconds(15);

    /** Longest request line read (a start request for thousands of nodes fits). */
    static final int MAX_LINE = 4 << 20;

    private final BenchNodes nodes;
    private final PrintWriter out;
    private final ObjectMapper json = new ObjectMapper();
    /** Puts and gets still running: shutdown waits for them so that its reply is the last line. */
    private final java.util.Set<java.util.concurrent.CompletableFuture<?>> inFlight =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ExecutorService workers = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "bench-agent");
        t.setDaemon(true);
        return t;
    });

    public BenchAgent(BenchNodes nodes, PrintWriter out) {
        this.nodes = nodes;
        this.out = out;
    }

    /** Serves requests from {@code in} until {@code shutdown} or end of input; then closes every node. */
    public void run(InputStream in) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                if (!handle(line)) {
                    break;
                }
            }
        } finally {
            workers.shutdown();
            try {
                workers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            nodes.close();
        }
    }

    /** Handles one line; false after shutdown. */
    boolean handle(String line) {
        JsonNode req;
        try {
            if (line.length() > MAX_LINE) {
                throw new IllegalArgumentException("request line over " + MAX_LINE + " characters");
            }
            req = json.readTree(line);
            if (req == null || !req.isObject()) {
                throw new IllegalArgumentException("a request is a JSON object");
            }
        } catch (IOException | IllegalArgumentException e) {
            error(null, "malformed request: " + firstLine(e.getMessage()));
            return true;
        }
        JsonNode id = req.get("id");
        String op = req.path("op").asText("");
        try {
            switch (op) {
                case "hello" -> {
                    ObjectNode o = ok(id);
                    o.put("pid", ProcessHandle.current().pid());
                    o.put("protocol", 1);
                    o.put("impl", nodes.impl());
                    reply(o);
                }
                case "start" -> workers.execute(() -> start(id, req.path("nodes")));
                case "put" -> {
                    int node = nodeIndex(req);
                    String name = text(req, "name", 64);
                    String value = text(req, "value", 999);
                    track(nodes.put(node, name, value)).whenComplete((p, e) -> {
                        if (e != null) {
                            error(id, cause(e));
                        } else {
                            ObjectNode o = ok(id);
                            o.put("ms", p.ms());
                            o.put("ref", p.ref());
                            o.put("replicas", p.replicas());
                            reply(o);
                        }
                    });
                }
                case "get" -> {
                    int node = nodeIndex(req);
                    String name = text(req, "name", 64);
                    String ref = req.path("ref").asText("");
                    track(nodes.get(node, name, ref)).whenComplete((g, e) -> {
                        if (e != null) {
                            error(id, cause(e));
                        } else {
                            ObjectNode o = ok(id);
                            o.put("found", g.found());
                            if (g.found()) {
                                o.put("value", g.value());
                            }
                            o.put("ms", g.ms());
                            if (g.firstMs() >= 0) {
                                o.put("firstMs", g.firstMs());
                            }
                            if (g.seq() >= 0) {
                                o.put("seq", g.seq());
                            }
                            reply(o);
                        }
                    });
                }
                case "kill" -> {
                    nodes.kill(nodeIndex(req));
                    reply(ok(id));
                }
                case "stats" -> workers.execute(() -> stats(id, req.path("gc").asBoolean(false)));
                case "shutdown" -> {
                    drain();
                    reply(ok(id));
                    return false;
                }
                default -> error(id, "unknown op '" + op + "'");
            }
        } catch (IllegalArgumentException e) {
            error(id, e.getMessage());
        }
        return true;
    }

    private <T> java.util.concurrent.CompletableFuture<T> track(java.util.concurrent.CompletableFuture<T> f) {
        inFlight.add(f);
        f.whenComplete((v, e) -> inFlight.remove(f));
        return f;
    }

    /** Lets running requests finish (bounded) so that nothing is written after the shutdown reply. */
    private void drain() {
        workers.shutdown();
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
            java.util.concurrent.CompletableFuture.allOf(inFlight.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // failed requests have had their error replies; a request still hanging after 30 s is abandoned
        }
    }

    private void start(JsonNode id, JsonNode list) {
        try {
            if (!list.isArray() || list.isEmpty()) {
                throw new IllegalArgumentException("start needs a non-empty nodes array");
            }
            ArrayNode started = json.createArrayNode();
            List<Integer> indexes = new ArrayList<>();
            for (JsonNode n : list) {
                int idx = n.path("idx").asInt(-1);
                int port = n.path("port").asInt(-1);
                if (idx < 0 || port < 0 || port > 65535) {
                    throw new IllegalArgumentException("each node needs idx >= 0 and port in 0..65535");
                }
                List<InetSocketAddress> boot = new ArrayList<>();
                for (JsonNode b : n.path("bootstrap")) {
                    String s = b.asText();
                    int colon = s.lastIndexOf(':');
                    if (colon <= 0) {
                        throw new IllegalArgumentException("bootstrap entries are HOST:PORT, got " + s);
                    }
                    boot.add(new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1))));
                }
                int bound = nodes.start(idx, port, boot);
                indexes.add(idx);
                ObjectNode s = started.addObject();
                s.put("idx", idx);
                s.put("port", bound);
            }
            List<Integer> joining = nodes.awaitJoined(indexes, JOIN_WAIT);
            ObjectNode o = ok(id);
            o.set("started", started);
            if (!joining.isEmpty()) {
                o.put("stillJoining", joining.size());
            }
            reply(o);
        } catch (Exception e) {
            error(id, cause(e));
        }
    }

    private void stats(JsonNode id, boolean gc) {
        if (gc) {
            System.gc();
        }
        ObjectNode o = ok(id);
        o.put("pid", ProcessHandle.current().pid());
        o.put("impl", nodes.impl());
        o.put("rss", rss());
        o.put("heapUsed", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        ArrayNode list = o.putArray("nodes");
        for (BenchNodes.NodeInfo n : nodes.nodes()) {
            ObjectNode j = list.addObject();
            j.put("idx", n.idx());
            j.put("ready", n.ready());
            j.put("table", n.table());
        }
        reply(o);
    }

    /** Resident set size from /proc (Linux), or -1. */
    static long rss() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    private static int nodeIndex(JsonNode req) {
        JsonNode n = req.get("node");
        if (n == null || !n.canConvertToInt() || n.asInt() < 0) {
            throw new IllegalArgumentException("'node' must be a node index");
        }
        return n.asInt();
    }

    private static String text(JsonNode req, String field, int maxBytes) {
        JsonNode n = req.get(field);
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw new IllegalArgumentException("'" + field + "' must be a non-empty string");
        }
        if (n.asText().getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new IllegalArgumentException("'" + field + "' is over " + maxBytes + " bytes");
        }
        return n.asText();
    }

    private ObjectNode ok(JsonNode id) {
        ObjectNode o = json.createObjectNode();
        if (id != null) {
            o.set("id", id);
        }
        o.put("ok", true);
        return o;
    }

    private void error(JsonNode id, String message) {
        ObjectNode o = json.createObjectNode();
        if (id != null) {
            o.set("id", id);
        }
        o.put("ok", false);
        o.put("error", message);
        reply(o);
    }

    private void reply(ObjectNode o) {
        String line;
        try {
            line = json.writeValueAsString(o);
        } catch (IOException e) {
            line = "{\"ok\":false,\"error\":\"cannot encode reply\"}";
        }
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private static String cause(Throwable e) {
        Throwable c = e;
        while ((c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return firstLine(m == null ? c.getClass().getSimpleName() : m);
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
