package org.p2pdns.node.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The node's local control API: HTTP/1.1 with JSON bodies on 127.0.0.1 only, every request authenticated with the
 * bearer token from {@code control.token} (owner-only) in the data directory. The CLI uses it for query, register,
 * lapse, accept-owner and status.
 *
 * <p>Endpoints: {@code GET /v1/status}, {@code GET /v1/resolve?name=N}, {@code POST /v1/publish} (a
 * {@link PublishRequest}), {@code POST /v1/lapse} ({@code {"name":N}}), {@code POST /v1/accept-owner}
 * ({@code {"name":N}}: forget the owner key remembered for N, so the next resolution trusts the one it finds). Errors
 * are {@code {"error":"..."}} with 400 (bad request), 401 (no or wrong token), 404, 405, 413 (body over 64 KiB) or
 * 500.
 */
public final class ControlServer implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControlServer.class);
    /** Largest request body accepted. */
    static final int MAX_BODY = 64 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final NodeControl node;
    private final byte[] token;
    private final Path dataDir;
    private final Duration requestTimeout;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger unauthorized = new AtomicInteger();

    private ControlServer(HttpServer server, ExecutorService executor, NodeControl node, String token, Path dataDir,
                          Duration requestTimeout) {
        this.server = server;
        this.executor = executor;
        this.node = node;
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        this.dataDir = dataDir;
        this.requestTimeout = requestTimeout;
    }

    /**
     * Starts serving on 127.0.0.1:{@code port} (0 = any free port), writes a fresh token and the port to the data
     * directory. {@code requestTimeout} bounds how long one request waits for the node.
     */
    public static ControlServer start(Path dataDir, int port, NodeControl node, Duration requestTimeout)
            throws IOException {
        String token = ControlFiles.newToken(dataDir, new SecureRandom());
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        AtomicInteger n = new AtomicInteger();
        ExecutorService ex = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "control-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ControlServer cs = new ControlServer(http, ex, node, token, dataDir, requestTimeout);
        http.setExecutor(ex);
        http.createContext("/", cs::handle);
        http.start();
        ControlFiles.writePort(dataDir, cs.port());
        LOG.info("control API on 127.0.0.1:{}", cs.port());
        return cs;
    }

    /** The bound TCP port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Requests refused for a missing or wrong token. */
    public int unauthorizedCount() {
        return unauthorized.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (!authorized(ex)) {
                unauthorized.incrementAndGet();
                reply(ex, 401, Map.of("error", "missing or wrong token (see control.token in the data directory)"));
                return;
            }
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            switch (path) {
                case "/v1/status" -> {
                    if (requireMethod(ex, method, "GET")) {
                        reply(ex, 200, await(node.status()));
                    }
                }
                case "/v1/resolve" -> {
                    if (requireMethod(ex, method, "GET")) {
                        String name = query(ex.getRequestURI()).get("name");
                        if (name == null || name.isBlank()) {
                            reply(ex, 400, Map.of("error", "missing name parameter"));
                        } else {
                            reply(ex, 200, ResolveReply.of(await(node.resolve(name))));
                        }
                    }
                }
                case "/v1/publish" -> {
                    if (requireMethod(ex, method, "POST")) {
                        byte[] body = readBody(ex);
                        if (body != null) {
                            publish(ex, body);
                        }
                    }
                }
                case "/v1/lapse" -> nameCommand(ex, method, node::lapse);
                case "/v1/accept-owner" -> nameCommand(ex, method, node::acceptOwner);
                default -> reply(ex, 404, Map.of("error", "no such endpoint: " + path));
            }
        } catch (BadRequest e) {
            reply(ex, 400, Map.of("error", e.getMessage()));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            reply(ex, 400, Map.of("error", "malformed JSON: " + e.getOriginalMessage()));
        } catch (TimeoutException e) {
            reply(ex, 504, Map.of("error", "the node did not answer within " + requestTimeout.toSeconds() + " s"));
        } catch (RuntimeException | ExecutionException e) {
            LOG.warn("control request failed", e);
            reply(ex, 500, Map.of("error", String.valueOf(e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // closed here, not by try-with-resources, so that the error replies above can still be written
            ex.close();
        }
    }


    /** A POST of {@code {"name":N}} answered with what {@code command} returns for N (lapse, accept-owner). */
    private void nameCommand(HttpExchange ex, String method,
                             java.util.function.Function<String, java.util.concurrent.CompletableFuture<?>> command)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        if (!requireMethod(ex, method, "POST")) {
            return;
        }
        byte[] body = readBody(ex);
        if (body == null) {
            return;
        }
        String name = json.readTree(body).path("name").asText("");
        if (name.isBlank()) {
            reply(ex, 400, Map.of("error", "missing name"));
        } else {
            reply(ex, 200, await(command.apply(name)));
        }
    }
    private void publish(HttpExchange ex, byte[] body)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        PublishRequest req = json.readValue(body, PublishRequest.class);
        if (req.name() == null || req.name().isBlank()) {
            throw new BadRequest("missing name");
        }
        List<org.xbill.DNS.Record> records = new ArrayList<>();
        for (ResolveReply.Rr rr : req.records()) {
            records.add(toRecord(rr));
        }
        if (records.isEmpty()) {
            throw new BadRequest("a record set needs at least one record");
        }
        reply(ex, 200, await(node.publish(req.name(), records, req.ttl(), req.key())));
    }

    /** Parses one record of a publish request (owner name absolute, rdata in zone-file form). */
    static org.xbill.DNS.Record toRecord(ResolveReply.Rr rr) {
        try {
            if (rr.name() == null || rr.type() == null || rr.data() == null) {
                throw new BadRequest("a record needs name, type and data");
            }
            int type = Type.value(rr.type());
            if (type < 0) {
                throw new BadRequest("unknown record type " + rr.type());
            }
            Name owner = Name.fromString(rr.name(), Name.root);
            return org.xbill.DNS.Record.fromString(owner, type, DClass.IN, rr.ttl(), rr.data(), Name.root);
        } catch (TextParseException e) {
            throw new BadRequest("bad " + rr.type() + " record for " + rr.name() + ": " + e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            throw new BadRequest("bad record " + rr.name() + " " + rr.type() + ": " + e.getMessage());
        }
    }

    private <T> T await(java.util.concurrent.CompletableFuture<T> f)
            throws InterruptedException, ExecutionException, TimeoutException {
        return f.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private boolean authorized(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, h.substring(7).strip().getBytes(StandardCharsets.US_ASCII));
    }

    private boolean requireMethod(HttpExchange ex, String method, String wanted) throws IOException {
        if (!wanted.equals(method)) {
            ex.getResponseHeaders().add("Allow", wanted);
            reply(ex, 405, Map.of("error", "use " + wanted));
            return false;
        }
        return true;
    }

    private byte[] readBody(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                reply(ex, 413, Map.of("error", "request body over " + MAX_BODY + " bytes"));
                return null;
            }
            return b;
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new java.util.HashMap<>();
        String q = uri.getRawQuery();
        if (q == null) {
            return out;
        }
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private void reply(HttpExchange ex, int code, Object body) throws IOException {
        byte[] b = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /** Stops serving and removes the port file. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        ControlFiles.removePort(dataDir);
    }

    /** A request the client got wrong: answered with 400 and the message. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }
}
