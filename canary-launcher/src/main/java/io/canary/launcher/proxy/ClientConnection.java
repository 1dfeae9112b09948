package io.canary.launcher.proxy;

import io.canary.launcher.proxy.ProxyStats.ClientFault;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One client connection of the Netty engine (the last handler of its pipeline, after the idle timer and the
 * {@link WireDecoder}): routes each request ({@link ProxyRequests}), runs one {@link ProxyExchange} at a time
 * (a pipelined request waits, and reads pause, until the answer before it is written), writes the
 * answer as the upstream sends it ({@link ProxyReplies}), answers the proxy's own JSON errors, and records every exchange
 * for its version once its last byte is written (pinned requests and client faults apart, in
 * {@link ProxyStats}).
 *
 * <p>{@code Expect: 100-continue} is answered here, before the request is routed (another
 * expectation: 417), and the field is not forwarded.
 *
 * <p>Errors: 431 for a request line and headers over the limit, 400 for a malformed request (505 for
 * an HTTP version other than 1.0 and 1.1), 413
 * for a body over the limit (declared or while it streams), 408 for a client silent mid-body; 502
 * / 504 from {@link ProxyErrors} for upstream failures; a failure after the answer started cuts
 * the connection (a truncated body, never a spliced error). A connection whose request was
 * answered before its body ended reads and drops the rest of the body before it closes, so the
 * client is not reset before it reads the answer.
 *
 * <p>Threading: its event loop only.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {
    private final NettyProxyContext px;
    private final ProxyRequests requests;
    private ChannelHandlerContext ctx;
    private byte[] remoteAddress = new byte[0];
    private ProxyExchange current;
    /** Pipelined requests (and their bodies) waiting for the answer before them. */
    private final ArrayDeque<Wire> backlog = new ArrayDeque<>();
    /** A request was refused (unreadable): nothing more is read from this connection. */
    private boolean refused;
    /** Dropping the rest of a request body that was already answered. */
    private boolean discarding;
    private boolean closeWhenDiscarded;
    private boolean pausedForUpstream;
    private boolean reading = true;
    /** Something was written to the client since its last flush (an empty flush still walks the pipeline). */
    private boolean unflushed;

    ClientConnection(NettyProxyContext px) {
        this.px = px;
        this.requests = new ProxyRequests(px);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
            remoteAddress = a.getAddress().getHostAddress().getBytes(StandardCharsets.ISO_8859_1);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Wire o = (Wire) msg; // the WireDecoder before this handler passes nothing else
        if (refused) {
            o.release();
            return;
        }
        if (!backlog.isEmpty() || busy()) {
            backlog.add(o);
            updateReads();
            return;
        }
        dispatch(o);
    }

    /** The current request was read whole; its answer is still to be written. */
    private boolean busy() {
        return current != null && current.requestDone;
    }

    private void dispatch(Wire o) {
        if (o instanceof WireHead request) {
            discarding = false;
            onRequest(request);
        } else if (o instanceof Wire.Piece piece) {
            onContent(piece);
        } else {
            Wire.Failure failure = (Wire.Failure) o;
            ProxyExchange ex = current;
            if (ex == null && !discarding) {
                refuse(failure);
            } else if (ex == null || ex.answeredEarly) {
                // A body already answered could not be read to its end: the connection goes after the answer.
                refused = true;
                if (ex == null) {
                    ctx.close();
                } else {
                    ex.closeNow = true;
                }
            } else {
                ex.clientFault = ClientFault.CLIENT_ABORTED;
                ex.abort();
                answerEarly(ex, HttpResponseStatus.BAD_REQUEST, "the request body could not be read: " + failure.message(), null, true);
            }
        }
    }

    private void onRequest(WireHead request) {
        if (request.otherExpectation) {
            refuse(new Wire.Failure(417, "unsupported expectation"));
            return;
        }
        if (request.expectContinue) {
            ctx.writeAndFlush(WireHeads.continueAnswer(), ctx.voidPromise());
        }
        long start = System.nanoTime();
        px.stats().proxied();
        long length = request.contentLength;
        ProxyExchange ex = requests.begin(this, ctx.channel().eventLoop(), request, remoteAddress, start);
        current = ex;
        px.inFlight().increment();
        long limit = px.settings().maxBodyBytes();
        if (length > limit) {
            ex.clientFault = ClientFault.BODY_TOO_LARGE;
            answerEarly(ex, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body of " + length
                    + " bytes exceeds the proxy's limit of " + limit + " bytes", null, false);
            return;
        }
        if (ex.endpoint == null) {
            ex.upstreamFailure = new IllegalStateException("no upstream");
            answerEarly(ex, HttpResponseStatus.BAD_GATEWAY, "no upstream serves version " + ex.version() + " on "
                    + px.node().id(), ex.version(), false);
            return;
        }
        ex.start();
        updateReads();
    }

    private void onContent(Wire.Piece piece) {
        ProxyExchange ex = current;
        boolean last = piece.last();
        if (ex == null) {
            // The rest of a body whose exchange is over: dropped, then the connection closes or goes on.
            piece.release();
            if (last && discarding) {
                discarding = false;
                if (closeWhenDiscarded) {
                    ctx.close();
                } else {
                    next();
                }
            }
            return;
        }
        if (ex.answeredEarly) {
            // Answered already (an error): the body is dropped; finished() closes or goes on once written.
            piece.release();
            if (last) {
                ex.requestDone = true;
            }
            return;
        }
        if (!ex.clientContent(piece)) {
            ex.clientFault = ClientFault.BODY_TOO_LARGE;
            ex.abort();
            answerEarly(ex, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body exceeds the proxy's limit of "
                    + px.settings().maxBodyBytes() + " bytes", null, false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current != null) {
            current.flush();
        }
    }

    /** A request that could not be read: 431 if too large, else 400 (417, 505); then the connection closes. */
    private void refuse(Wire.Failure failure) {
        refused = true;
        HttpResponseStatus status = HttpResponseStatus.valueOf(failure.status());
        String message;
        if (failure.status() == 431) {
            px.stats().clientFault(ClientFault.HEADERS_TOO_LARGE, ProxyStats.UNROUTED);
            message = "request line and headers exceed the proxy's limit (" + px.settings().maxHeaderBytes() + " bytes)";
        } else {
            px.stats().clientFault(ClientFault.CLIENT_ABORTED, ProxyStats.UNROUTED);
            message = "malformed request: " + failure.message();
        }
        ctx.writeAndFlush(ProxyReplies.error(status, message, null, px.node().id(), false)).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Answers the exchange with the proxy's own error, unless its answer already started (then the
     * connection is cut). If the request's body is still coming, the rest is read and dropped and
     * the connection closes after it; {@code closeNow} closes it right after the answer instead.
     */
    private void answerEarly(ProxyExchange ex, HttpResponseStatus status, String message, String version, boolean closeNow) {
        if (ex.responseStarted) {
            finished(ex, false);
            return;
        }
        ex.answeredEarly = true;
        ex.closeNow = closeNow;
        if (!ex.requestDone || closeNow) {
            ex.keepAlive = false;
        }
        ex.responseStarted = true;
        ex.status = status.code();
        updateReads();
        ctx.writeAndFlush(ProxyReplies.error(status, message, version, px.node().id(), ex.keepAlive)).addListener(w -> finished(ex, w.isSuccess()));
    }

    /**
     * The upstream's answer starts: its head, made for this client ({@link ProxyReplies#head}). No promise: a
     * failed write fires {@link #exceptionCaught}, which closes, and {@link #channelInactive} accounts for it.
     */
    void relayHead(ByteBuf head) {
        ctx.write(head, ctx.voidPromise());
        unflushed = true;
    }

    /** A piece of the upstream's answer (or the whole answer); the last one completes the exchange once written. */
    void relayContent(ProxyExchange ex, ByteBuf piece, boolean last) {
        ctx.write(piece, last ? ctx.newPromise().addListener(w -> finished(ex, w.isSuccess())) : ctx.voidPromise());
        unflushed = true;
        if (last) {
            flush();
        }
    }

    /** What was written goes out at the end of the loop's batch ({@link FlushBatch}), with the other connections'. */
    void flush() {
        if (unflushed) {
            unflushed = false;
            FlushBatch.flushLater(ctx.channel());
        }
    }

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    boolean writable() {
        return ctx.channel().isWritable();
    }

    boolean open() {
        return ctx.channel().isActive();
    }

    /** The upstream failed: an error answer (502/504) if none started, else the connection is cut. */
    void upstreamFailed(ProxyExchange ex, Throwable failure) {
        ex.abandonMirror();
        if (!open()) {
            ex.clientFault = ClientFault.CLIENT_ABORTED;
            finished(ex, false);
            return;
        }
        answerEarly(ex, HttpResponseStatus.valueOf(ProxyErrors.upstreamStatus(failure)), ProxyErrors.describeUpstream(failure,
                ex.version(), ex.endpoint.display(), px.settings().upstreamTimeout().toMillis()), ex.version(), false);
    }

    /** Records the exchange (once), then closes the connection or goes on with the next request. */
    private void finished(ProxyExchange ex, boolean written) {
        if (ex.done) {
            return;
        }
        ex.done = true;
        if (current == ex) {
            current = null;
        }
        px.inFlight().decrement();
        long nanos = System.nanoTime() - ex.startNanos;
        ex.abandonMirror();
        if (ex.clientFault != null) {
            px.stats().clientFault(ex.clientFault, ex.version());
        } else {
            boolean ok = written && ex.upstreamFailure == null && ex.status < 500;
            if (ex.route.pinned()) {
                px.stats().pinned(ex.version(), ok);
            } else {
                px.node().record(ex.version(), nanos, ok);
            }
        }
        if (!written || ex.closeNow) {
            ex.abort();
            ctx.close();
            return;
        }
        if (!ex.requestDone) {
            // Answered before the body ended (an error, or a quick upstream): drop the rest first.
            ex.abort();
            discarding = true;
            closeWhenDiscarded = !ex.keepAlive;
            updateReads();
            return;
        }
        if (!ex.keepAlive) {
            ctx.close();
            return;
        }
        next();
    }

    /** Goes on with the requests that were pipelined meanwhile. */
    private void next() {
        pausedForUpstream = false;
        while (!backlog.isEmpty() && !busy()) {
            dispatch(backlog.poll());
        }
        if (current != null) {
            current.flush();
        }
        updateReads();
    }

    /** The upstream's outbound buffer is full: stop reading the client's body until it drains. */
    void pauseForUpstream() {
        pausedForUpstream = true;
        updateReads();
    }

    /** The upstream can take more of the body. */
    void resumeFromUpstream() {
        pausedForUpstream = false;
        updateReads();
    }

    /** Reads go on unless a request waits in the backlog, the upstream is full, or its connection is being opened. */
    void updateReads() {
        boolean read = backlog.isEmpty() && !pausedForUpstream && (current == null || !current.connecting());
        if (read != reading) {
            reading = read;
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientWritable(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof IdleStateEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        ProxyExchange ex = current;
        if (ex == null) {
            // Idle between requests, silent mid-headers, or dropping a refused body: the connection goes.
            ctx.close();
        } else if (!ex.requestDone && !ex.answeredEarly && !pausedForUpstream && !ex.connecting()) {
            ex.clientFault = ClientFault.CLIENT_TIMEOUT;
            ex.abort();
            answerEarly(ex, HttpResponseStatus.REQUEST_TIMEOUT, "the client sent no request body for "
                    + px.settings().clientTimeout().toMillis() + " ms", null, true);
        }
        // Otherwise the client waits for its answer: the upstream timeout bounds that.
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ProxyExchange ex = current;
        if (ex != null && !ex.done) {
            if (ex.clientFault == null && ex.upstreamFailure == null) {
                ex.clientFault = ClientFault.CLIENT_ABORTED;
            }
            ex.abort();
            finished(ex, false);
        }
        for (Wire o; (o = backlog.poll()) != null; ) {
            o.release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or a write to a closed connection: channelInactive accounts for the exchange.
        ctx.close();
    }
}
