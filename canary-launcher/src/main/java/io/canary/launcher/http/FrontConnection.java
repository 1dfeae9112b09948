package io.canary.launcher.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.launcher.http.api.ErrorView;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One client connection of the data port's Netty front ({@link DataPortFront}), after the HTTP/1.1
 * codec and the aggregator: {@code POST /predict} ({@link NettyPredict}) and {@code POST /routing/weights}
 * ({@link NettyWeights}, the admin check given the socket's address) are served here; every other
 * request is passed whole to the node's Javalin API on its loopback port, with the caller's address
 * in {@link #PEER_HEADER} (what the API's admin check reads, see {@link DataPlaneRoutes}), and its
 * answer passed back. One request at a time: pipelined requests wait in order (reads pause beyond
 * a few), so answers keep the order of the requests.
 *
 * <p>Threading: its event loop only.
 */
final class FrontConnection extends ChannelInboundHandlerAdapter {
    /** The caller's address as the front saw it; set by the front only (a client's own value is dropped). */
    static final String PEER_HEADER = "X-Canary-Peer";
    private static final AsciiString PEER = AsciiString.cached(PEER_HEADER);
    private static final int MAX_WAITING = 16;
    private static final String WEIGHTS = "/routing/weights";
    private static final ObjectMapper MAPPER = Json.mapper();

    private final DataPortFront front;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private String peer = "";
    private boolean busy;

    FrontConnection(DataPortFront front) {
        this.front = front;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
            peer = a.getAddress().getHostAddress();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (busy) {
            waiting.add(request);
            if (waiting.size() >= MAX_WAITING) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        serve(request);
    }

    private void serve(FullHttpRequest request) {
        busy = true;
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            request.release();
            boolean tooLong = cause instanceof TooLongFrameException;
            write(error(tooLong ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST,
                    tooLong ? "request line and headers too large" : "malformed request: " + cause.getMessage()), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().equals(HttpMethod.HEAD);
        if (request.method().equals(HttpMethod.POST) && isPredict(request.uri())) {
            front.predict().serve(ctx.channel().eventLoop(), request, r -> write(r, keepAlive));
            return;
        }
        if (request.method().equals(HttpMethod.POST) && isWeights(request.uri())) {
            front.weights().serve(ctx.channel().eventLoop(), request, peer, r -> write(r, keepAlive));
            return;
        }
        HttpHeaders h = request.headers();
        // Hop-by-hop: this connection's, not the API's (an h2c upgrade offer is declined by ignoring it).
        h.remove(HttpHeaderNames.CONNECTION).remove(HttpHeaderNames.KEEP_ALIVE).remove(HttpHeaderNames.UPGRADE).remove("HTTP2-Settings");
        h.set(PEER, peer);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        front.api().send(ctx.channel().eventLoop(), front.apiAddress(), request, front.apiTimeoutMillis(), (r, failure) -> {
            if (r == null) {
                write(error(HttpResponseStatus.BAD_GATEWAY, "the node's API did not answer: "
                        + (failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName())), keepAlive);
                return;
            }
            r.headers().remove(HttpHeaderNames.CONNECTION).remove(HttpHeaderNames.KEEP_ALIVE).remove(HttpHeaderNames.TRANSFER_ENCODING);
            if (!head) {
                HttpUtil.setContentLength(r, r.content().readableBytes());
            }
            write(r, keepAlive);
        });
    }

    /** Exactly {@code /predict}, with or without a query (what Javalin's route matches, less the trailing slash). */
    static boolean isPredict(String uri) {
        return uri.startsWith("/predict") && (uri.length() == 8 || uri.charAt(8) == '?');
    }

    /** Exactly {@code /routing/weights}, with or without a query; anything else (a trailing slash) is relayed. */
    static boolean isWeights(String uri) {
        return uri.startsWith(WEIGHTS) && (uri.length() == WEIGHTS.length() || uri.charAt(WEIGHTS.length()) == '?');
    }

    private void write(FullHttpResponse r, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            r.release();
            return;
        }
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(r).addListener(w -> {
            if (!w.isSuccess()) {
                ctx.close();
                return;
            }
            next();
        });
    }

    private void next() {
        busy = false;
        FullHttpRequest r = waiting.poll();
        if (r != null) {
            serve(r);
        }
        if (waiting.size() < MAX_WAITING) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** {@code {"error":"..."}}, as every endpoint of the data plane answers a refusal. */
    static FullHttpResponse error(HttpResponseStatus status, String message) {
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(new ErrorView(message));
        } catch (JsonProcessingException e) {
            json = "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);
        }
        return NettyPredict.response(status, json, null);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (!busy) {
                ctx.close(); // idle between requests; a request in flight is bounded by its own deadline
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (FullHttpRequest r; (r = waiting.poll()) != null; ) {
            r.release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
