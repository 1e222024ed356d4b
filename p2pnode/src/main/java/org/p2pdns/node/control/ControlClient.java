package org.p2pdns.node.control;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Talks to a running node's control API, finding it through {@code control.port} and {@code control.token} in the data
 * directory. Deliberately light (JDK HttpURLConnection and Jackson only) because it is on the path of
 * {@code p2p --query}, where JVM start-up dominates.
 */
public final class ControlClient {

    private final Path dataDir;
    private final int port;
    private final String token;
    private final Duration timeout;
    /** Databind, made on first use: {@link #resolve} (the query path) reads its reply with the streaming parser. */
    private ObjectMapper json;

    private ControlClient(Path dataDir, int port, String token, Duration timeout) {
        this.dataDir = dataDir;
        this.port = port;
        this.token = token;
        this.timeout = timeout;
    }

    /** A client for the node of {@code dataDir}, or UNREACHABLE when no node has written its port there. */
    public static ControlClient forDataDir(Path dataDir, Duration timeout) throws ControlException {
        int port;
        String token;
        try {
            port = ControlFiles.readPort(dataDir);
            token = ControlFiles.readToken(dataDir);
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "cannot read the control files in "
                    + dataDir + ": " + e.getMessage());
        }
        if (port < 0 || token == null) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "no node is running with data directory "
                    + dataDir + " (start one with: p2p --start-node --data-dir " + dataDir + ")");
        }
        return new ControlClient(dataDir, port, token, timeout);
    }

    /** A client for an explicit port and token (tests). */
    public static ControlClient of(Path dataDir, int port, String token, Duration timeout) {
        return new ControlClient(dataDir, port, token, timeout);
    }

    public NodeStatus status() throws ControlException {
        return call("GET", "/v1/status", null, NodeStatus.class);
    }

    public ResolveReply resolve(String name) throws ControlException {
        return call("GET", "/v1/resolve?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8), null,
                ResolveReply.class, ControlClient::readResolveReply);
    }

    /** A {@link ResolveReply} read with jackson-core's streaming parser (unknown fields are skipped). */
    static ResolveReply readResolveReply(InputStream in) throws IOException {
        try (JsonParser p = STREAMING.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a resolve reply is a JSON object");
            }
            String status = null;
            String name = null;
            String detail = "";
            long ttl = 0;
            long sequence = 0;
            boolean stale = false;
            java.util.List<ResolveReply.Rr> records = new java.util.ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "status" -> status = p.getValueAsString();
                    case "name" -> name = p.getValueAsString();
                    case "detail" -> detail = p.getValueAsString("");
                    case "ttl" -> ttl = p.getValueAsLong();
                    case "sequence" -> sequence = p.getValueAsLong();
                    case "stale" -> stale = p.getValueAsBoolean();
                    case "records" -> {
                        if (t != JsonToken.START_ARRAY) {
                            throw new IOException("records must be an array");
                        }
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            String rn = null;
                            String type = null;
                            String data = null;
                            long rttl = 0;
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String f = p.currentName();
                                p.nextToken();
                                switch (f) {
                                    case "name" -> rn = p.getValueAsString();
                                    case "type" -> type = p.getValueAsString();
                                    case "data" -> data = p.getValueAsString();
                                    case "ttl" -> rttl = p.getValueAsLong();
                                    default -> p.skipChildren();
                                }
                            }
                            records.add(new ResolveReply.Rr(rn, type, rttl, data));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (status == null) {
                throw new IOException("a resolve reply needs a status");
            }
            return new ResolveReply(status, name, records, ttl, sequence, stale, detail);
        }
    }

    private static final com.fasterxml.jackson.core.JsonFactory STREAMING = new com.fasterxml.jackson.core.JsonFactory();

    private ObjectMapper mapper() {
        if (json == null) {
            json = new ObjectMapper();
        }
        return json;
    }

    /** Reads a successful reply body. */
    @FunctionalInterface
    private interface BodyReader<T> {
        T read(InputStream in) throws IOException;
    }

    public PublishReply publish(PublishRequest request) throws ControlException {
        return call("POST", "/v1/publish", request, PublishReply.class);
    }

    public PublishReply lapse(String name) throws ControlException {
        return call("POST", "/v1/lapse", Map.of("name", name), PublishReply.class);
    }

    /** Forgets the owner key the node remembers for {@code name} (see {@link NodeControl#acceptOwner}). */
    public PublishReply acceptOwner(String name) throws ControlException {
        return call("POST", "/v1/accept-owner", Map.of("name", name), PublishReply.class);
    }

    private <T> T call(String method, String path, Object body, Class<T> type) throws ControlException {
        return call(method, path, body, type, in -> mapper().readValue(in, type));
    }

    private <T> T call(String method, String path, Object body, Class<T> type, BodyReader<T> reader)
            throws ControlException {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(2000);
            c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            c.setRequestProperty("Authorization", "Bearer " + token);
            if (body != null) {
                byte[] b = mapper().writeValueAsBytes(body);
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                c.setFixedLengthStreamingMode(b.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(b);
                }
            }
            int code = c.getResponseCode();
            if (code == 200) {
                try (InputStream in = c.getInputStream()) {
                    return reader.read(in);
                }
            }
            String error = errorText(c);
            switch (code) {
                case 401 -> throw new ControlException(ControlException.Kind.UNAUTHORIZED,
                        "the node refused the control token in " + dataDir + " (" + error + ")");
                case 400, 413 -> throw new ControlException(ControlException.Kind.BAD_REQUEST, error);
                case 504 -> throw new ControlException(ControlException.Kind.TIMEOUT, error);
                default -> throw new ControlException(ControlException.Kind.FAILED, "node error " + code + ": " + error);
            }
        } catch (ConnectException e) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "no node answers on 127.0.0.1:" + port
                    + " for data directory " + dataDir + " (is it running? start one with: p2p --start-node)");
        } catch (SocketTimeoutException e) {
            throw new ControlException(ControlException.Kind.TIMEOUT, "the node did not answer within "
                    + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.FAILED, "control API: " + e.getMessage());
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private String errorText(HttpURLConnection c) {
        try (InputStream in = c.getErrorStream()) {
            if (in == null) {
                return "no details";
            }
            return mapper().readTree(in.readNBytes(8192)).path("error").asText("no details");
        } catch (IOException e) {
            return "no details";
        }
    }
}
