package org.p2pdns.node.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.api.ResolveStatus;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;

class ControlServerTest {

    @TempDir
    Path dir;

    /** A node that answers from a fixed table and remembers what it was asked to publish. */
    static final class TableNode implements NodeControl {
        final List<List<org.xbill.DNS.Record>> published = new ArrayList<>();
        final List<String> lapsed = new ArrayList<>();
        final List<String> ownersAccepted = new ArrayList<>();

        @Override
        public CompletableFuture<Resolution> resolve(String name) {
            if (name.equals("example.p2p")) {
                try {
                    var a = new ARecord(Name.fromString("example.p2p."), DClass.IN, 300,
                            InetAddress.getByName("10.1.2.3"));
                    return CompletableFuture.completedFuture(new Resolution(ResolveStatus.FOUND, "example.p2p.",
                            List.of(a), 300, 1_000_000, 7, false, ""));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
            return CompletableFuture.completedFuture(Resolution.of(ResolveStatus.NOT_FOUND, name + ".", "no record"));
        }

        @Override
        public CompletableFuture<PublishReply> publish(String name, List<org.xbill.DNS.Record> records, long ttl) {
            published.add(records);
            return CompletableFuture.completedFuture(new PublishReply(name + ".", PublishReply.PublishStatus.PUBLISHED,
                    3, 5, ""));
        }

        @Override
        public CompletableFuture<PublishReply> lapse(String name) {
            lapsed.add(name);
            return CompletableFuture.completedFuture(new PublishReply(name + ".", PublishReply.PublishStatus.LAPSED,
                    0, 0, ""));
        }

        @Override
        public CompletableFuture<PublishReply> acceptOwner(String name) {
            ownersAccepted.add(name);
            return CompletableFuture.completedFuture(new PublishReply(name + ".",
                    PublishReply.PublishStatus.OWNER_ACCEPTED, 0, 0, ""));
        }

        @Override
        public CompletableFuture<NodeStatus> status() {
            return CompletableFuture.completedFuture(new NodeStatus("0.1", "ab", "0.0.0.0:7700", "", "unknown", 2, 3,
                    4, List.of("example.p2p."), "127.0.0.1:5354", List.of(), 9, "p2p"));
        }
    }

    TableNode node;
    ControlServer server;

    @BeforeEach
    void start() throws Exception {
        node = new TableNode();
        server = ControlServer.start(dir, 0, node, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void filesAreWrittenOwnerOnlyAndPortIsRemovedOnClose() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(ControlFiles.TOKEN_FILE))));
        assertEquals(server.port(), ControlFiles.readPort(dir));
        assertEquals(64, ControlFiles.readToken(dir).length());
        server.close();
        assertFalse(Files.exists(dir.resolve(ControlFiles.PORT_FILE)));
        ControlException e = assertThrows(ControlException.class,
                () -> ControlClient.forDataDir(dir, Duration.ofSeconds(5)));
        assertEquals(ControlException.Kind.UNREACHABLE, e.kind());
    }

    @Test
    void clientRoundTrips() throws Exception {
        ControlClient c = ControlClient.forDataDir(dir, Duration.ofSeconds(5));
        ResolveReply r = c.resolve("example.p2p");
        assertEquals("FOUND", r.status());
        assertEquals(List.of(new ResolveReply.Rr("example.p2p.", "A", 300, "10.1.2.3")), r.records());
        assertEquals(7, r.sequence());
        assertEquals("NOT_FOUND", c.resolve("nothing.p2p").status());

        PublishReply p = c.publish(new PublishRequest("example.p2p", List.of(
                new ResolveReply.Rr("example.p2p.", "A", 300, "10.0.0.9"),
                new ResolveReply.Rr("example.p2p.", "MX", 300, "10 mail.example.p2p.")), 300, null));
        assertEquals(PublishReply.PublishStatus.PUBLISHED, p.status());
        assertEquals(2, node.published.get(0).size());
        assertEquals("10 mail.example.p2p.", node.published.get(0).get(1).rdataToString());

        assertEquals(PublishReply.PublishStatus.LAPSED, c.lapse("example.p2p").status());
        assertEquals(List.of("example.p2p"), node.lapsed);

        NodeStatus s = c.status();
        assertEquals(3, s.routingTableSize());
        assertEquals(List.of("example.p2p."), s.ownedNames());
    }

    @Test
    void missingOrWrongTokenIs401() throws Exception {
        assertEquals(401, rawGet("/v1/status", null));
        assertEquals(401, rawGet("/v1/status", "Bearer " + "0".repeat(64)));
        assertEquals(401, rawGet("/v1/status", "Basic abc"));
        assertEquals(200, rawGet("/v1/status", "Bearer " + ControlFiles.readToken(dir)));
        assertEquals(3, server.unauthorizedCount());

        ControlException e = assertThrows(ControlException.class,
                () -> ControlClient.of(dir, server.port(), "wrong", Duration.ofSeconds(5)).status());
        assertEquals(ControlException.Kind.UNAUTHORIZED, e.kind());
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        ControlClient c = ControlClient.forDataDir(dir, Duration.ofSeconds(5));
        ControlException e = assertThrows(ControlException.class, () -> c.publish(new PublishRequest("example.p2p",
                List.of(new ResolveReply.Rr("example.p2p.", "A", 300, "not-an-ip")), 300, null)));
        assertEquals(ControlException.Kind.BAD_REQUEST, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("A record"), e.getMessage());
        e = assertThrows(ControlException.class, () -> c.publish(new PublishRequest("example.p2p",
                List.of(new ResolveReply.Rr("example.p2p.", "BOGUS", 300, "x")), 300, null)));
        assertTrue(e.getMessage().contains("unknown record type"), e.getMessage());
        e = assertThrows(ControlException.class, () -> c.publish(new PublishRequest("example.p2p", List.of(), 300, null)));
        assertEquals(ControlException.Kind.BAD_REQUEST, e.kind());
        assertTrue(node.published.isEmpty());
        String token = ControlFiles.readToken(dir);
        assertEquals(404, rawGet("/v1/nothing", "Bearer " + token));
        assertEquals(400, rawGet("/v1/resolve", "Bearer " + token));
        assertEquals(405, rawGet("/v1/publish", "Bearer " + token));
    }

    @Test
    void acceptOwnerNeedsTheTokenAndAName() throws Exception {
        String token = ControlFiles.readToken(dir);
        assertEquals(401, rawPost("/v1/accept-owner", null, "{\"name\":\"example.p2p\"}"));
        assertEquals(401, rawPost("/v1/accept-owner", "Bearer " + "0".repeat(64), "{\"name\":\"example.p2p\"}"));
        assertEquals(400, rawPost("/v1/accept-owner", "Bearer " + token, "{}"));
        assertEquals(400, rawPost("/v1/accept-owner", "Bearer " + token, "{\"name\":\" \"}"));
        assertEquals(400, rawPost("/v1/accept-owner", "Bearer " + token, "not json"));
        assertEquals(405, rawGet("/v1/accept-owner", "Bearer " + token));
        assertTrue(node.ownersAccepted.isEmpty(), node.ownersAccepted.toString());

        PublishReply r = ControlClient.forDataDir(dir, Duration.ofSeconds(5)).acceptOwner("example.p2p");
        assertEquals(PublishReply.PublishStatus.OWNER_ACCEPTED, r.status());
        assertEquals("example.p2p.", r.name());
        assertEquals(List.of("example.p2p"), node.ownersAccepted);

        ControlException e = assertThrows(ControlException.class,
                () -> ControlClient.of(dir, server.port(), "wrong", Duration.ofSeconds(5)).acceptOwner("example.p2p"));
        assertEquals(ControlException.Kind.UNAUTHORIZED, e.kind());
        assertEquals(List.of("example.p2p"), node.ownersAccepted);
    }

    @Test
    void resolveRepliesAreReadByTheStreamingParser() throws Exception {
        String text = "{\"status\":\"FOUND\",\"extra\":{\"a\":[1,2]},\"name\":\"x.p2p.\",\"records\":[{\"name\":"
                + "\"x.p2p.\",\"type\":\"A\",\"ttl\":5,\"data\":\"10.0.0.1\",\"more\":true}],\"ttl\":5,"
                + "\"sequence\":9,\"stale\":true,\"detail\":\"\"}";
        ResolveReply r = ControlClient.readResolveReply(new java.io.ByteArrayInputStream(text.getBytes()));
        assertEquals(new ResolveReply("FOUND", "x.p2p.", List.of(new ResolveReply.Rr("x.p2p.", "A", 5, "10.0.0.1")), 5,
                9, true, ""), r);
        for (String bad : new String[] {"", "[]", "{\"name\":\"x\"}", "{\"status\":\"FOUND\",\"records\":5}",
            "{\"status\":", "nonsense"}) {
            assertThrows(java.io.IOException.class,
                    () -> ControlClient.readResolveReply(new java.io.ByteArrayInputStream(bad.getBytes())), bad);
        }
    }

    @Test
    void stalePortFileMeansUnreachable() throws Exception {
        int port = server.port();
        server.close();
        ControlFiles.writePort(dir, port);
        ControlException e = assertThrows(ControlException.class,
                () -> ControlClient.forDataDir(dir, Duration.ofSeconds(5)).status());
        assertEquals(ControlException.Kind.UNREACHABLE, e.kind());
    }

    private int rawPost(String path, String auth, String body) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.port() + path).toURL()
                .openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        if (auth != null) {
            c.setRequestProperty("Authorization", auth);
        }
        try {
            try (var out = c.getOutputStream()) {
                out.write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    private int rawGet(String path, String auth) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.port() + path).toURL()
                .openConnection();
        if (auth != null) {
            c.setRequestProperty("Authorization", auth);
        }
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }
}
