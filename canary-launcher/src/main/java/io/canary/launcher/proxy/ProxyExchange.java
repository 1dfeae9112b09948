package io.canary.launcher.proxy;

import io.canary.launcher.proxy.ProxyStats.ClientFault;
import io.canary.launcher.proxy.RequestRouter.Route;
import io.canary.launcher.proxy.Upstreams.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
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
 * <p>Heads are bytes ({@link WireHeads}): the request head is written for the upstream from the
 * client's parsed head when it is sent (again if it is retried), the answer's head for the client
 * from the upstream's; bodies go on as the wire framed them ({@link Wire.Piece}). A head is written
 * together with its body when the whole body came in the same read as the head (the common small
 * request or answer): the head is held until the next piece or the end of that read batch, and a
 * small body is copied in behind its head (one buffer, one write). Streaming is unchanged: nothing
 * is held past the read batch.
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
    /** The client's request head, and the target the upstream gets (null: the client's own). */
    final WireHead request;
    private final String target;
    private final byte[] remote;
    final boolean head;
    final boolean hasBody;
    private final boolean idempotent;
    /** Whether the client's connection stays open after this exchange. */
    boolean keepAlive;

    private Channel upstream;
    /** Body pieces that arrived while the upstream connection was being opened. */
    private ArrayDeque<Wire.Piece> pending;
    private boolean upstreamKeepAlive;
    /** The request head is on its upstream connection's side but not written yet (see the class comment). */
    private boolean headUnsent;
    /** The answer's head, rewritten for the client, not written yet (see the class comment). */
    private WireHead heldAnswer;
    private ProxyReplies.Framing framing = ProxyReplies.Framing.AS_IS;
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
                  WireHead request, String target, byte[] remote, boolean hasBody) {
        this.client = client;
        this.px = px;
        this.loop = loop;
        this.route = route;
        this.endpoint = endpoint;
        this.startNanos = startNanos;
        this.request = request;
        this.target = target;
        this.remote = remote;
        this.keepAlive = request.keepAlive();
        this.http10 = request.http10;
        this.hasBody = hasBody;
        this.head = request.methodIs("HEAD");
        this.idempotent = head || request.methodIs("GET") || request.methodIs("OPTIONS") || request.methodIs("PUT")
                || request.methodIs("DELETE") || request.methodIs("TRACE");
    }

    /** The request head for the upstream, with {@code body} (released) behind it if given. */
    private ByteBuf requestHead(Channel c, ByteBuf body) {
        int room = body != null && body.readableBytes() <= WireHeads.MERGE_LIMIT ? body.readableBytes() : 0;
        ByteBuf h = WireHeads.upstreamRequest(c.alloc(), request, target, request.host < 0 ? endpoint.host() + ":" + endpoint.port() : null,
                remote, px.viaBytes(), false, room);
        return body == null ? h : WireHeads.join(c.alloc(), h, body);
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
        ArrayDeque<Wire.Piece> queued = pending;
        pending = null;
        if (done) {
            queued.forEach(Wire.Piece::release);
            if (f.isSuccess()) {
                f.channel().close();
            }
            return;
        }
        if (!f.isSuccess()) {
            queued.forEach(Wire.Piece::release);
            Throwable cause = f.cause();
            fail(cause instanceof ConnectTimeoutException
                    ? new SocketTimeoutException("connect timed out: " + cause.getMessage()) : cause);
            return;
        }
        Channel c = f.channel();
        attach(c);
        if (queued.size() == 1 && queued.peek().last()) {
            c.write(requestHead(c, queued.poll().bytes()));
        } else {
            c.write(requestHead(c, null));
            for (Wire.Piece piece : queued) {
                c.write(piece.bytes());
            }
        }
        c.flush();
        client.updateReads();
    }

    private void attach(Channel c) {
        upstream = c;
        UpstreamPools.handler(c).attach(this, head);
    }

    /**
     * A piece of the client's body: counted against the limit, copied for the mirror, passed on.
     *
     * @return false if it broke the body limit (the piece is released; the caller answers 413)
     */
    boolean clientContent(Wire.Piece piece) {
        bodyBytes += piece.data();
        if (bodyBytes > px.settings().maxBodyBytes()) {
            piece.release();
            return false;
        }
        boolean last = piece.last();
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
                upstream.write(requestHead(upstream, piece.bytes()), UpstreamPools.handler(upstream).quiet());
            } else {
                upstream.write(piece.bytes(), UpstreamPools.handler(upstream).quiet());
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
                upstream.write(requestHead(upstream, null), UpstreamPools.handler(upstream).quiet());
                upstreamUnflushed = true;
            }
            if (upstreamUnflushed) {
                upstreamUnflushed = false;
                FlushBatch.flushLater(upstream);
            }
        }
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
    public void onMessage(Wire message) {
        if (done) {
            message.release();
            return;
        }
        if (message instanceof Wire.Failure f) {
            closeUpstream();
            fail(new DecoderException(f.message()));
            return;
        }
        if (message instanceof WireHead r) {
            int code = r.status;
            if (code < 200 && code != 101) {
                informational = true; // a 100 Continue (the proxy answers Expect itself): the real answer follows
                return;
            }
            status = code;
            upstreamKeepAlive = r.keepAlive() && code != 101; // a switched connection speaks something else after
            responseStarted = true;
            framing = ProxyReplies.forClient(r, this);
            if (framing.unchunk()) {
                UpstreamPools.handler(upstream).stripChunks();
            }
            heldAnswer = r; // written with the body's first piece, or at the end of this read
            return;
        }
        Wire.Piece piece = (Wire.Piece) message;
        boolean last = piece.last();
        Channel c = upstream;
        if (last) {
            releaseUpstream();
        }
        ByteBuf bytes = framing.rechunk() ? WireHeads.chunk(client.alloc(), piece.bytes(), last) : piece.bytes();
        WireHead answer = heldAnswer;
        heldAnswer = null;
        if (answer != null) {
            int room = bytes.readableBytes() <= WireHeads.MERGE_LIMIT ? bytes.readableBytes() : 0;
            bytes = WireHeads.join(client.alloc(), ProxyReplies.head(client.alloc(), answer, this, framing, room), bytes);
        }
        client.relayContent(this, bytes, last);
        if (!last && !client.writable()) {
            c.config().setAutoRead(false);
        }
    }

    @Override
    public void onReadComplete() {
        WireHead answer = heldAnswer;
        if (answer != null) {
            heldAnswer = null;
            client.relayHead(ProxyReplies.head(client.alloc(), answer, this, framing, 0));
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
            pending.add(Wire.Piece.EMPTY_LAST);
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
            pending.forEach(Wire.Piece::release);
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
