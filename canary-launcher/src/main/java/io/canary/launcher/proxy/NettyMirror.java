package io.canary.launcher.proxy;

import io.canary.launcher.proxy.ProxyStats.MirrorOutcome;
import io.canary.launcher.proxy.RequestRouter.Route;
import io.canary.launcher.proxy.Upstreams.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Mirroring on the Netty engine: the copy of a request is built as the real request streams
 * through (headers at once, body chunks appended without consuming them, up to the mirror's body
 * limit), then sent fire-and-forget on the same event loop over a mirror connection of its own
 * ({@link UpstreamPools}, mirror side). Its answer is read and discarded; its latency (send to
 * last byte) and outcome go to the version's mirror health. Copies carry {@code X-Canary-Mirror: 1}.
 * Which requests are copied, and the bound on copies in flight: {@link MirrorGate}.
 *
 * <p>Threading: the client connection's event loop only.
 */
final class NettyMirror {
    private final MirrorGate gate;
    private final UpstreamPools pools;

    NettyMirror(MirrorGate gate, UpstreamPools pools) {
        this.gate = gate;
        this.pools = pools;
    }

    /**
     * Starts a copy of the request if the gate admits it; a request without a body is sent at once.
     *
     * @param headers the request's headers as forwarded (copied here: the real request goes on)
     * @return the copy to feed with the body, or null (not copied, or already sent)
     */
    Copy begin(EventLoop loop, Route route, HttpMethod method, String pathAndQuery, HttpHeaders headers, boolean hasBody, long length) {
        Endpoint endpoint = gate.admit(route, hasBody, length);
        if (endpoint == null) {
            return null;
        }
        HttpHeaders copied = new DefaultHttpHeaders().set(headers);
        copied.remove(HttpHeaderNames.TRANSFER_ENCODING);
        copied.remove(HttpHeaderNames.CONTENT_LENGTH);
        copied.set(MirrorSender.MIRROR_HEADER, "1");
        Copy copy = new Copy(loop, endpoint, method, endpoint.prefix() + pathAndQuery, copied,
                hasBody ? (int) Math.max(0, Math.min(length, gate.maxBodyBytes())) : 0);
        if (!hasBody) {
            copy.complete();
            return null;
        }
        return copy;
    }

    /** One copy: the request line and headers, the body as it arrives, then its own exchange. */
    final class Copy implements UpstreamChannel.Listener {
        private final EventLoop loop;
        private final Endpoint endpoint;
        private final HttpMethod method;
        private final String uri;
        private final HttpHeaders headers;
        private ByteBuf body;
        private boolean done;
        private long start;
        private Channel channel;
        private boolean answered;
        private boolean keepAlive;
        private boolean informational;

        private Copy(EventLoop loop, Endpoint endpoint, HttpMethod method, String uri, HttpHeaders headers, int expected) {
            this.loop = loop;
            this.endpoint = endpoint;
            this.method = method;
            this.uri = uri;
            this.headers = headers;
            this.body = expected > 0 ? Unpooled.buffer(expected) : Unpooled.EMPTY_BUFFER;
        }

        /** Appends a chunk of the real body without consuming it; past the limit the copy is given up. */
        void append(HttpContent chunk) {
            if (done) {
                return;
            }
            ByteBuf b = chunk.content();
            if (body.readableBytes() + b.readableBytes() > gate.maxBodyBytes()) {
                give(MirrorOutcome.SKIPPED);
                return;
            }
            if (body == Unpooled.EMPTY_BUFFER) {
                body = Unpooled.buffer(Math.max(256, b.readableBytes()));
            }
            body.writeBytes(b, b.readerIndex(), b.readableBytes());
        }

        /** The real request failed before its body was read: no copy. */
        void abandon() {
            if (!done) {
                give(MirrorOutcome.SKIPPED);
            }
        }

        private void give(MirrorOutcome outcome) {
            done = true;
            body.release();
            body = Unpooled.EMPTY_BUFFER;
            gate.release(endpoint.version(), outcome);
        }

        /** The real body is complete: send the copy. */
        void complete() {
            if (done) {
                return;
            }
            done = true;
            start = System.nanoTime();
            gate.sent(endpoint.version());
            Channel pooled = pools.take(endpoint, true);
            if (pooled != null) {
                send(pooled);
                return;
            }
            ChannelFuture f = pools.connect(loop, endpoint);
            f.addListener(x -> {
                if (x.isSuccess()) {
                    send(f.channel());
                } else {
                    finish(false);
                }
            });
        }

        private void send(Channel c) {
            channel = c;
            UpstreamPools.handler(c).attach(this);
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, body);
            body = Unpooled.EMPTY_BUFFER;
            request.headers().set(headers);
            HttpUtil.setContentLength(request, request.content().readableBytes());
            c.writeAndFlush(request).addListener(w -> {
                if (!w.isSuccess()) {
                    onFailure(w.cause());
                    c.close();
                }
            });
        }

        @Override
        public void onMessage(HttpObject message) {
            boolean last = message instanceof LastHttpContent;
            if (message instanceof HttpResponse r) {
                int code = r.status().code();
                informational = code < 200 && code != 101; // a 100 Continue: the real answer follows
                answered = code < 500;
                keepAlive = HttpUtil.isKeepAlive(r);
            }
            ReferenceCountUtil.release(message);
            if (!last) {
                return;
            }
            if (informational) {
                informational = false;
                return;
            }
            Channel c = channel;
            channel = null;
            if (keepAlive) {
                pools.give(endpoint, true, c);
            } else {
                UpstreamPools.handler(c).detach();
                c.close();
            }
            finish(answered);
        }

        @Override
        public void onFailure(Throwable failure) {
            if (channel != null) {
                channel = null;
                finish(false);
            }
        }

        private void finish(boolean ok) {
            gate.record(endpoint.version(), System.nanoTime() - start, ok);
            gate.release(endpoint.version(), ok ? MirrorOutcome.OK : MirrorOutcome.FAILED);
        }
    }
}
