package io.canary.launcher.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The proxy's own answers when it cannot pass one on: JSON {@code {"error": "...", "status": 502,
 * "version": "v2", "node": "node-a"}}, so a client can tell a proxy error from its application's.
 */
final class ProxyErrors {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ProxyErrors() {
    }

    /** Writes the error as the whole response (headers reset), keeping {@code X-Canary-Version} when known. */
    static void write(Response response, Callback callback, int status, String message, String version, String nodeId) {
        response.reset();
        response.setStatus(status);
        if (version != null) {
            response.getHeaders().put(CanaryProxyHandler.VERSION_HEADER, version);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body(status, message, version, nodeId)), callback);
    }

    static byte[] body(int status, String message, String version, String nodeId) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("error", message);
        o.put("status", status);
        if (version != null) {
            o.put("version", version);
        }
        if (nodeId != null) {
            o.put("node", nodeId);
        }
        try {
            return MAPPER.writeValueAsBytes(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return ("{\"error\":\"" + HttpStatus.getMessage(status) + "\",\"status\":" + status + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** The status a failed upstream exchange answers: 504 for a timeout, 502 for anything else. */
    static int upstreamStatus(Throwable failure) {
        Throwable t = root(failure);
        return t instanceof TimeoutException || t instanceof SocketTimeoutException
                ? HttpStatus.GATEWAY_TIMEOUT_504 : HttpStatus.BAD_GATEWAY_502;
    }

    /** One line on what the upstream did, naming the version and the endpoint. */
    static String describeUpstream(Throwable failure, String version, String endpoint, long timeoutMillis) {
        Throwable t = root(failure);
        String who = "upstream " + version + " at " + endpoint;
        if (t instanceof TimeoutException) {
            return who + " did not answer within " + timeoutMillis + " ms";
        }
        if (t instanceof SocketTimeoutException) {
            return who + " did not accept a connection within the connect timeout";
        }
        if (t instanceof ConnectException) {
            return who + " refused the connection";
        }
        if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
            return who + " cannot be resolved";
        }
        if (t instanceof java.io.EOFException || t instanceof java.nio.channels.ClosedChannelException) {
            return who + " closed the connection before its answer was complete";
        }
        String msg = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        return who + " failed: " + msg;
    }

    static Throwable root(Throwable t) {
        Throwable r = t;
        for (int i = 0; i < 10 && r.getCause() != null && r.getCause() != r; i++) {
            if (r instanceof TimeoutException || r instanceof java.io.IOException) {
                return r;
            }
            r = r.getCause();
        }
        return r;
    }
}
