package io.canary.launcher.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What the Netty engine writes to a client itself: its JSON errors, and the head of an upstream's
 * answer made right for this client (hop-by-hop headers, {@code X-Canary-Version}, framing for
 * HTTP/1.0 and for a body that ends with the upstream's connection). Pure functions; any thread.
 */
final class ProxyReplies {
    private ProxyReplies() {
    }

    /** The proxy's own error, JSON ({@link ProxyErrors#body}), naming {@code version} if one was chosen. */
    static DefaultFullHttpResponse error(HttpResponseStatus status, String message, String version, String nodeId,
                                         boolean keepAlive) {
        byte[] body = ProxyErrors.body(status.code(), message, version, nodeId);
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (version != null) {
            h.set(CanaryProxyHandler.VERSION_HEADER, version);
        }
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    /**
     * Rewrites the upstream's answer head for the client of {@code ex}; may turn the exchange's
     * keep-alive off (an HTTP/1.0 client whose answer is framed by the connection's end).
     */
    static void forClient(HttpResponse r, ProxyExchange ex) {
        HttpHeaders h = r.headers();
        ForwardHeaders.toClient(h, ex.version());
        int code = r.status().code();
        boolean bodyless = ex.head || code == 204 || code == 304;
        boolean chunked = HttpUtil.isTransferEncodingChunked(r);
        boolean framed = bodyless || h.contains(HttpHeaderNames.CONTENT_LENGTH);
        if (ex.http10) {
            if (chunked) {
                HttpUtil.setTransferEncodingChunked(r, false); // HTTP/1.0 knows no chunks: the body ends with the connection
            }
            if (!framed) {
                ex.keepAlive = false;
            }
        } else if (!framed && !chunked) {
            // The upstream ends its body by closing: the client gets it chunked (and keeps its connection).
            HttpUtil.setTransferEncodingChunked(r, true);
        }
        if (!ex.keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (ex.http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
}
