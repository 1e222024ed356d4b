package org.p2pdns.node.control;

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
    private final ObjectMapper json = new ObjectMapper();

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
                ResolveReply.class);
    }

    public PublishReply publish(PublishRequest request) throws ControlException {
        return call("POST", "/v1/publish", request, PublishReply.class);
    }

    public PublishReply lapse(String name) throws ControlException {
        return call("POST", "/v1/lapse", Map.of("name", name), PublishReply.class);
    }

    private <T> T call(String method, String path, Object body, Class<T> type) throws ControlException {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(2000);
            c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            c.setRequestProperty("Authorization", "Bearer " + token);
            if (body != null) {
                byte[] b = json.writeValueAsBytes(body);
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
                    return json.readValue(in, type);
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
            return json.readTree(in.readNBytes(8192)).path("error").asText("no details");
        } catch (IOException e) {
            return "no details";
        }
    }
}
