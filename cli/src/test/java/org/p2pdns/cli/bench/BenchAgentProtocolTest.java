package org.p2pdns.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The protocol layer: framing, ids, errors, concurrency-safe output; the real nodes are in BenchAgentUdpTest. */
class BenchAgentProtocolTest {

    /** Nodes that keep values in a map. */
    static final class MapNodes implements BenchNodes {
        final Map<Integer, List<InetSocketAddress>> started = new HashMap<>();
        final Map<String, String> values = new HashMap<>();
        final List<Integer> killed = new ArrayList<>();
        boolean closed;

        @Override
        public int start(int idx, int port, List<InetSocketAddress> bootstrap) {
            started.put(idx, bootstrap);
            return port == 0 ? 40000 + idx : port;
        }

        @Override
        public CompletableFuture<PutOutcome> put(int node, String name, String value) {
            values.put(name, value);
            return CompletableFuture.completedFuture(new PutOutcome(3, "ref-" + name, 2));
        }

        @Override
        public CompletableFuture<GetOutcome> get(int node, String name, String ref) {
            if (node == 99) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("no node 99"));
            }
            String v = values.get(name);
            return CompletableFuture.completedFuture(new GetOutcome(v != null, v, 5, 4, 1));
        }

        @Override
        public void kill(int node) {
            killed.add(node);
        }

        @Override
        public List<NodeInfo> nodes() {
            return List.of(new NodeInfo(0, true, 3));
        }

        @Override
        public String impl() {
            return "test 0";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void fullSession() throws Exception {
        String in = String.join("\n",
                "{\"id\":1,\"op\":\"hello\"}",
                "{\"id\":2,\"op\":\"start\",\"nodes\":[{\"idx\":0,\"port\":0,\"bootstrap\":[]},"
                        + "{\"idx\":1,\"port\":30001,\"bootstrap\":[\"127.0.0.1:40000\"]}]}",
                "{\"id\":3,\"op\":\"put\",\"node\":1,\"name\":\"bench-1-42\",\"value\":\"10.1.2.3\"}",
                "{\"id\":4,\"op\":\"get\",\"node\":0,\"name\":\"bench-1-42\",\"ref\":\"ref-bench-1-42\"}",
                "{\"id\":5,\"op\":\"get\",\"node\":0,\"name\":\"missing\"}",
                "not json",
                "{\"id\":6,\"op\":\"frobnicate\"}",
                "{\"id\":7,\"op\":\"put\",\"node\":1,\"name\":\"" + "x".repeat(65) + "\",\"value\":\"v\"}",
                "{\"id\":8,\"op\":\"get\",\"node\":99,\"name\":\"a\"}",
                "{\"id\":9,\"op\":\"kill\",\"node\":1}",
                "{\"id\":10,\"op\":\"stats\",\"gc\":true}",
                "{\"id\":11,\"op\":\"shutdown\"}",
                "{\"id\":12,\"op\":\"hello\"}") + "\n";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MapNodes nodes = new MapNodes();
        new BenchAgent(nodes, new java.io.PrintWriter(new java.io.OutputStreamWriter(bytes, StandardCharsets.UTF_8), true))
                .run(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)));

        Map<Integer, JsonNode> byId = new HashMap<>();
        List<JsonNode> noId = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            JsonNode j = new ObjectMapper().readTree(line);
            if (j.has("id")) {
                byId.put(j.get("id").asInt(), j);
            } else {
                noId.add(j);
            }
        }
        assertEquals(1, byId.get(1).get("protocol").asInt());
        assertEquals(40000, byId.get(2).get("started").get(0).get("port").asInt());
        assertEquals(30001, byId.get(2).get("started").get(1).get("port").asInt());
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 40000)), nodes.started.get(1));
        assertEquals("ref-bench-1-42", byId.get(3).get("ref").asText());
        assertTrue(byId.get(4).get("found").asBoolean());
        assertEquals("10.1.2.3", byId.get(4).get("value").asText());
        assertTrue(byId.get(5).get("ok").asBoolean());
        assertFalse(byId.get(5).get("found").asBoolean());
        assertEquals(1, noId.size());
        assertFalse(noId.get(0).get("ok").asBoolean());
        assertTrue(byId.get(6).get("error").asText().contains("unknown op"));
        assertFalse(byId.get(7).get("ok").asBoolean());
        assertEquals("no node 99", byId.get(8).get("error").asText());
        assertEquals(List.of(1), nodes.killed);
        assertEquals(3, byId.get(10).get("nodes").get(0).get("table").asInt());
        assertTrue(byId.get(10).get("heapUsed").asLong() > 0);
        assertTrue(byId.get(11).get("ok").asBoolean());
        assertFalse(byId.containsKey(12), "nothing is served after shutdown");
        assertTrue(nodes.closed);
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(11, new ObjectMapper().readTree(lines[lines.length - 1]).get("id").asInt(),
                "the shutdown reply is the last line");
    }
}
