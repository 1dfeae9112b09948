package io.canary.launcher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What the Netty engine writes to a client itself: its JSON errors, and the head of an upstream's
 * answer made right for this client ({@link WireHeads#clientAnswer}: hop-by-hop fields,
 * {@code X-Canary-Version}, framing for HTTP/1.0 and for a body that ends with the upstream's
 * connection). Pure functions; any thread.
 */
final class ProxyReplies {
    private ProxyReplies() {
    }

    /** The proxy's own error, JSON ({@link ProxyErrors#body}), naming {@code version} if one was chosen. */
    static ByteBuf error(HttpResponseStatus status, String message, String version, String nodeId, boolean keepAlive) {
        return WireHeads.error(status, ProxyErrors.body(status.code(), message, version, nodeId), version, keepAlive);
    }

    /** How an answer's body goes on to the client, decided from its head. */
    record Framing(boolean unchunk, boolean rechunk) {
        static final Framing AS_IS = new Framing(false, false);
    }

    /**
     * Decides how the upstream's answer goes on to the client of {@code ex}; may turn the exchange's
     * keep-alive off (an HTTP/1.0 client whose answer is framed by the connection's end).
     */
    static Framing forClient(WireHead r, ProxyExchange ex) {
        int code = r.status;
        boolean bodyless = ex.head || code == 204 || code == 304;
        boolean chunked = r.chunked && !bodyless;
        boolean framed = bodyless || (r.contentLength >= 0 && !r.chunked && !r.otherTransferEncoding);
        Framing framing = Framing.AS_IS;
        if (ex.http10) {
            if (chunked) {
                framing = new Framing(true, false); // HTTP/1.0 knows no chunks: the data alone, ended by the connection
            }
            if (!framed) {
                ex.keepAlive = false;
            }
        } else if (!framed && !chunked) {
            // The upstream ends its body by closing: the client gets it chunked (and keeps its connection).
            framing = new Framing(false, true);
        }
        return framing;
    }

    /** The client's head for answer {@code r}, with room for {@code room} bytes of body behind it. */
    static ByteBuf head(ByteBufAllocator alloc, WireHead r, ProxyExchange ex, Framing framing, int room) {
        byte[] connection = !ex.keepAlive ? WireHeads.CONNECTION_CLOSE : ex.http10 ? WireHeads.CONNECTION_KEEP_ALIVE : null;
        return WireHeads.clientAnswer(alloc, r, ex.version(), framing.unchunk(), framing.rechunk(), connection, room);
    }
}
