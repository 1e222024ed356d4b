package org.p2pdns.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bench agent with real UDP nodes on 127.0.0.1, driven over its stdin/stdout like a harness does. */
class BenchAgentUdpTest {

    final ObjectMapper json = new ObjectMapper();
    final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();

    CompletableFuture<JsonNode> reply(int id) {
        return replies.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    @Test
    void startPutGetKillStatsShutdown() throws Exception {
        PipedOutputStream toAgent = new PipedOutputStream();
        PipedInputStream agentIn = new PipedInputStream(toAgent, 1 << 16);
        PipedOutputStream agentOut = new PipedOutputStream();
        PipedInputStream fromAgent = new PipedInputStream(agentOut, 1 << 16);
        PrintWriter agentWriter = new PrintWriter(new OutputStreamWriter(agentOut, StandardCharsets.UTF_8), true);
        CompletableFuture<Void> agent = CompletableFuture.runAsync(() -> {
            try {
                new BenchAgent(new UdpBenchNodes("test", 2), agentWriter).run(agentIn);
            } catch (Exception e) {
                throw new RuntimeException(e);
            } finally {
                agentWriter.close();
            }
        });
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(fromAgent, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    JsonNode j = json.readTree(line);
                    reply(j.get("id").asInt()).complete(j);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        PrintWriter harness = new PrintWriter(new OutputStreamWriter(toAgent, StandardCharsets.UTF_8), true);

        harness.println("{\"id\":1,\"op\":\"hello\"}");
        assertEquals(1, reply(1).get(10, TimeUnit.SECONDS).get("protocol").asInt());
        assertTrue(reply(1).get().get("impl").asText().contains("no proof of work"));

        harness.println("{\"id\":2,\"op\":\"start\",\"nodes\":[{\"idx\":0,\"port\":0,\"bootstrap\":[]}]}");
        int port0 = reply(2).get(10, TimeUnit.SECONDS).get("started").get(0).get("port").asInt();
        assertTrue(port0 > 0);
        StringBuilder nodes = new StringBuilder();
        for (int i = 1; i <= 7; i++) {
            nodes.append(i > 1 ? "," : "").append("{\"idx\":").append(i).append(",\"port\":0,\"bootstrap\":[\"127.0.0.1:")
                    .append(port0).append("\"]}");
        }
        harness.println("{\"id\":3,\"op\":\"start\",\"nodes\":[" + nodes + "]}");
        assertEquals(7, reply(3).get(20, TimeUnit.SECONDS).get("started").size(), reply(3).get().toString());

        // joins run in the background: a put right away still reaches node 0 at least
        harness.println("{\"id\":4,\"op\":\"put\",\"node\":3,\"name\":\"bench-1-42\",\"value\":\"10.1.2.3\"}");
        JsonNode put = reply(4).get(20, TimeUnit.SECONDS);
        assertTrue(put.get("ok").asBoolean(), put.toString());
        assertTrue(put.get("replicas").asInt() >= 1, put.toString());
        String ref = put.get("ref").asText();

        harness.println("{\"id\":5,\"op\":\"get\",\"node\":6,\"name\":\"bench-1-42\",\"ref\":\"" + ref + "\"}");
        JsonNode get = reply(5).get(20, TimeUnit.SECONDS);
        assertTrue(get.get("found").asBoolean(), get.toString());
        assertEquals("10.1.2.3", get.get("value").asText());
        assertTrue(get.has("seq"), get.toString());

        harness.println("{\"id\":6,\"op\":\"get\",\"node\":6,\"name\":\"never-put\"}");
        JsonNode miss = reply(6).get(20, TimeUnit.SECONDS);
        assertTrue(miss.get("ok").asBoolean(), miss.toString());
        assertFalse(miss.get("found").asBoolean(), miss.toString());

        harness.println("{\"id\":7,\"op\":\"put\",\"node\":2,\"name\":\"Not A Label!\",\"value\":\"free text, not an IP\"}");
        String ref2 = reply(7).get(20, TimeUnit.SECONDS).get("ref").asText();
        harness.println("{\"id\":8,\"op\":\"get\",\"node\":5,\"name\":\"Not A Label!\",\"ref\":\"" + ref2 + "\"}");
        assertEquals("free text, not an IP", reply(8).get(20, TimeUnit.SECONDS).get("value").asText());

        harness.println("{\"id\":9,\"op\":\"kill\",\"node\":3}");
        assertTrue(reply(9).get(10, TimeUnit.SECONDS).get("ok").asBoolean());
        harness.println("{\"id\":10,\"op\":\"get\",\"node\":3,\"name\":\"bench-1-42\"}");
        assertFalse(reply(10).get(10, TimeUnit.SECONDS).get("ok").asBoolean());
        // the record outlives the node that published it
        harness.println("{\"id\":11,\"op\":\"get\",\"node\":1,\"name\":\"bench-1-42\",\"ref\":\"" + ref + "\"}");
        assertTrue(reply(11).get(20, TimeUnit.SECONDS).get("found").asBoolean(), reply(11).get().toString());

        harness.println("{\"id\":12,\"op\":\"stats\",\"gc\":true}");
        JsonNode stats = reply(12).get(20, TimeUnit.SECONDS);
        assertEquals(7, stats.get("nodes").size(), stats.toString());
        assertTrue(stats.get("rss").asLong() > 0, stats.toString());
        for (JsonNode n : stats.get("nodes")) {
            assertTrue(n.get("table").asInt() >= 1, stats.toString());
        }

        harness.println("{\"id\":13,\"op\":\"shutdown\"}");
        assertNotNull(reply(13).get(10, TimeUnit.SECONDS));
        agent.get(30, TimeUnit.SECONDS);
        reader.get(10, TimeUnit.SECONDS);
        harness.close();
    }
}
