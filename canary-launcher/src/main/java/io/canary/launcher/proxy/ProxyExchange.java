package io.canary.launcher.proxy;

import io.canary.launcher.proxy.ProxyStats.ClientFault;
import io.canary.launcher.proxy.RequestRouter.Route;
import io.canary.launcher.proxy.Upstreams.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * One proxied request on the Netty engine, from routing to its last byte: the upstream side of the
 * exchange. It takes a pooled connection of its own event loop (or opens one), writes the request
 * head and streams the body as the client sends it, and relays the answer piece by piece to its
 * {@link ClientConnection}, with back-pressure both ways (a side whose outbound buffer is full
 * stops the other side's reads). A connection the upstream closed before answering an idempotent
 * request without a body is replaced and the request sent again, at most {@link #MAX_RETRIES}
 * times.
 *
 * <p>A head is written together with its body when the whole body came in the same read as the
 * head (the common small request or answer): the head is held until the next piece or the end of
 * that read batch, and a head followed by its last piece goes out as one full message, which the
 * codec encodes into one buffer (one write, one promise and one outbound entry instead of two; the
 * profile of BENCHMARKS.md part 3). Streaming is unchanged: nothing is held past the read batch.
 *
 * <p>Threading: the client connection's event loop only (its upstream connection runs there too),
 * so nothing here locks.
 */
final class ProxyExchange implements UpstreamChannel.Listener {
    static final int MAX_RETRIES = 2;

    private final ClientConnection client;
    private final NettyProxyContext px;
    private final EventLoop loop;
    final Route route;
    final Endpoint endpoint;
    final long startNanos;
    final HttpRequest forwarded;
    final boolean head;
    final boolean hasBody;
    private final boolean idempotent;
    /** Whether the client's connection stays open after this exchange. */
    boolean keepAlive;

    private Channel upstream;
    /** Body pieces that arrived while the upstream connection was being opened. */
    private ArrayDeque<HttpContent> pending;
    private boolean upstreamKeepAlive;
    /** The request head is on its upstream connection's side but not written yet (see the class comment). */
    private boolean headUnsent;
    /** The answer's head, rewritten for the client, not written yet (see the class comment). */
    private HttpResponse heldAnswer;
    /** Something was written towards the upstream since its last flush. */
    private boolean upstreamUnflushed;
    private boolean informational;
    private int retries;
    private long bodyBytes;

    /** The client's HTTP/1.0 (no chunked answers; keep-alive only if asked). */
    boolean http10;
    /** The client's request was read whole (passed on or dropped). */
    boolean requestDone;
    /** The proxy answered itself (an error): the rest of the body is dropped. */
    boolean answeredEarly;
    /** Close the connection right after the answer (a client that went silent, a malformed body). */
    boolean closeNow;
    boolean responseStarted;
    boolean done;
    int status;
    ClientFault clientFault;
    Throwable upstreamFailure;
    NettyMirror.Copy mirror;

    ProxyExchange(ClientConnection client, NettyProxyContext px, EventLoop loop, Route route, Endpoint endpoint, long startNanos,
                  HttpRequest forwarded, boolean keepAlive, boolean hasBody) {
        this.client = client;
        this.px = px;
        this.loop = loop;
        this.route = route;
        this.endpoint = endpoint;
        this.startNanos = startNanos;
        this.forwarded = forwarded;
        this.keepAlive = keepAlive;
        this.hasBody = hasBody;
        String method = forwarded.method().name();
        this.head = method.equals("HEAD");
        this.idempotent = switch (method) {
            case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
            default -> false;
        };
    }

    String version() {
        return route.version();
    }

    /** True while the upstream connection is being opened (the client's reads pause meanwhile). */
    boolean connecting() {
        return pending != null;
    }

    /** Sends the request head on a pooled connection, or opens one. */
    void start() {
        Channel c = px.pools().take(endpoint, false);
        if (c != null) {
            attach(c);
            headUnsent = true; // written with the body's last piece, or by flush() at the end of this read
        } else {
            connect();
        }
    }

    private void connect() {
        pending = new ArrayDeque<>();
        ChannelFuture f = px.pools().connect(loop, endpoint);
        f.addListener(x -> connected(f));
    }

    private void connected(ChannelFuture f) {
        ArrayDeque<HttpContent> queued = pending;
        pending = null;
        if (done) {
            queued.forEach(ReferenceCountUtil::release);
            if (f.isSuccess()) {
                f.channel().close();
            }
            return;
        }
        if (!f.isSuccess()) {
            queued.forEach(ReferenceCountUtil::release);
            Throwable cause = f.cause();
            fail(cause instanceof ConnectTimeoutException
                    ? new SocketTimeoutException("connect timed out: " + cause.getMessage()) : cause);
            return;
        }
        Channel c = f.channel();
        attach(c);
        if (queued.size() == 1 && queued.peek() instanceof LastHttpContent whole) {
            c.write(withBody(forwarded, whole));
        } else {
            c.write(forwarded);
            for (HttpContent piece : queued) {
                c.write(piece);
            }
        }
        c.flush();
        client.updateReads();
    }

    private void attach(Channel c) {
        upstream = c;
        UpstreamPools.handler(c).attach(this);
    }

    /**
     * A piece of the client's body: counted against the limit, copied for the mirror, passed on.
     *
     * @return false if it broke the body limit (the piece is released; the caller answers 413)
     */
    boolean clientContent(HttpContent piece) {
        bodyBytes += piece.content().readableBytes();
        if (bodyBytes > px.settings().maxBodyBytes()) {
            piece.release();
            return false;
        }
        boolean last = piece instanceof LastHttpContent;
        if (mirror != null) {
            mirror.append(piece);
            if (last) {
                mirror.complete();
                mirror = null;
            }
        }
        if (last) {
            requestDone = true;
        }
        if (pending != null) {
            pending.add(piece);
        } else if (upstream != null) {
            if (headUnsent) {
                headUnsent = false;
                if (last) {
                    upstream.write(withBody(forwarded, (LastHttpContent) piece));
                } else {
                    upstream.write(forwarded);
                    upstream.write(piece);
                }
            } else {
                upstream.write(piece);
            }
            upstreamUnflushed = true;
            if (!upstream.isWritable()) {
                client.pauseForUpstream();
            }
        } else {
            piece.release();
        }
        return true;
    }

    /** Flushes what was written towards the upstream (at the end of a client read batch). */
    void flush() {
        if (upstream != null) {
            if (headUnsent) {
                headUnsent = false;
                upstream.write(forwarded);
                upstreamUnflushed = true;
            }
            if (upstreamUnflushed) {
                upstreamUnflushed = false;
                upstream.flush();
            }
        }
    }

    /**
     * A request head and its whole body as one message (the head's headers, not a copy). The request
     * line is not checked again: the decoder checked it, and so did {@code setUri} after the rewrite.
     */
    private static DefaultFullHttpRequest withBody(HttpRequest head, LastHttpContent body) {
        return new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), body.content(), head.headers(),
                body.trailingHeaders(), false);
    }

    /** An answer head and its whole body as one message (the head's headers, not a copy). */
    private static DefaultFullHttpResponse withBody(HttpResponse head, LastHttpContent body) {
        return new DefaultFullHttpResponse(head.protocolVersion(), head.status(), body.content(), head.headers(),
                body.trailingHeaders());
    }

    /** Whether the upstream can take more of the client's body now. */
    boolean upstreamWritable() {
        return upstream == null || upstream.isWritable();
    }

    /** The client's outbound buffer drained or filled: the upstream's reads follow it. */
    void clientWritable(boolean writable) {
        if (upstream != null) {
            upstream.config().setAutoRead(writable);
        }
    }

    @Override
    public void onMessage(HttpObject message) {
        if (done) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message.decoderResult().isFailure()) {
            Throwable cause = message.decoderResult().cause();
            ReferenceCountUtil.release(message);
            closeUpstream();
            fail(cause);
            return;
        }
        if (message instanceof HttpResponse r) {
            int code = r.status().code();
            if (code < 200 && code != 101) {
                informational = true; // a 100 Continue (the proxy answers Expect itself): the real answer follows
            } else {
                status = code;
                upstreamKeepAlive = HttpUtil.isKeepAlive(r);
                responseStarted = true;
                ProxyReplies.forClient(r, this);
                heldAnswer = r; // written with the body's last piece, or at the end of this read
            }
        }
        if (message instanceof HttpContent piece) {
            if (informational) {
                piece.release();
                informational = !(piece instanceof LastHttpContent);
                return;
            }
            boolean last = piece instanceof LastHttpContent;
            if (last) {
                releaseUpstream();
            }
            HttpResponse head = heldAnswer;
            heldAnswer = null;
            if (head == null || head == piece) {
                client.relayContent(this, piece, last); // a head already written, or a whole message as it came
            } else {
                if (last) {
                    client.relayContent(this, withBody(head, (LastHttpContent) piece), true);
                } else {
                    client.relayHead(head);
                    client.relayContent(this, piece, false);
                }
            }
            if (!last && !client.writable()) {
                upstream.config().setAutoRead(false);
            }
        }
    }

    @Override
    public void onReadComplete() {
        HttpResponse head = heldAnswer;
        if (head != null) {
            heldAnswer = null;
            client.relayHead(head);
        }
        client.flush();
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (writable) {
            client.resumeFromUpstream();
        }
    }

    @Override
    public void onFailure(Throwable failure) {
        upstream = null;
        headUnsent = false;
        if (done) {
            return;
        }
        if (retryable(failure)) {
            retries++;
            connect();
            pending.add(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        fail(failure);
    }

    private void fail(Throwable failure) {
        heldAnswer = null; // a head not written yet is simply dropped (it holds no buffer); the answer counts as started
        closeUpstream();
        upstreamFailure = failure;
        client.upstreamFailed(this, failure);
    }

    /**
     * A keep-alive connection the upstream closed just as it was reused (its idle timeout racing the
     * pool): the upstream never saw the request. Safe to send again only for an idempotent method
     * without a body (a streamed body cannot be replayed), with nothing received yet.
     */
    private boolean retryable(Throwable failure) {
        return retries < MAX_RETRIES && failure instanceof ClosedChannelException && !responseStarted && !informational
                && idempotent && !hasBody && requestDone && client.open();
    }

    /** The answer is complete: the connection goes back to the pool if it can carry another exchange. */
    private void releaseUpstream() {
        Channel c = upstream;
        upstream = null;
        if (c == null) {
            return;
        }
        if (requestDone && upstreamKeepAlive) {
            px.pools().give(endpoint, false, c);
        } else {
            UpstreamPools.handler(c).detach();
            c.close();
        }
    }

    /** Gives up the upstream side (the client failed or went away): its connection is closed, never reused. */
    void abort() {
        closeUpstream();
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
            pending.clear();
        }
        abandonMirror();
    }

    private void closeUpstream() {
        Channel c = upstream;
        upstream = null;
        if (c != null) {
            UpstreamPools.handler(c).detach();
            c.close();
        }
    }

    void abandonMirror() {
        if (mirror != null) {
            mirror.abandon();
            mirror = null;
        }
    }
}
