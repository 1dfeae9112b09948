package io.canary.launcher.proxy;

import io.canary.launcher.proxy.ProxyStats.MirrorOutcome;
import io.canary.launcher.proxy.RequestRouter.Route;
import io.canary.launcher.proxy.Upstreams.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;

/**
 * Mirroring on the Netty engine: the copy of a request is built as the real request streams
 * through (its head written at once, as the upstream's but with the mirror endpoint's target and
 * {@code X-Canary-Mirror: 1}; the body's bytes as framed on the wire appended without consuming
 * them, up to the mirror's body limit), then sent fire-and-forget on the same event loop over a mirror connection of its own
 * ({@link UpstreamPools}, mirror side). Its answer is read and discarded; its latency (send to
 * last byte) and outcome go to the version's mirror health. Copies carry {@code X-Canary-Mirror: 1}.
 * Which requests are copied, and the bound on copies in flight: {@link MirrorGate}.
 *
 * <p>Threading: the client connection's event loop only.
 */
final class NettyMirror {
    /** Copies are heap buffers: they wait for their body, and the garbage collector bounds what a lost one costs. */
    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);

    private final MirrorGate gate;
    private final UpstreamPools pools;
    private final byte[] via;

    NettyMirror(MirrorGate gate, UpstreamPools pools, byte[] via) {
        this.gate = gate;
        this.pools = pools;
        this.via = via;
    }

    /**
     * Starts a copy of the request if the gate admits it; a request without a body is sent at once.
     *
     * @param request the client's request head (its copy is written here: the real request goes on)
     * @param pathAndQuery the request's target in origin form, or null if not worked out yet
     * @return the copy to feed with the body, or null (not copied, or already sent)
     */
    Copy begin(EventLoop loop, Route route, WireHead request, String pathAndQuery, byte[] remote, boolean hasBody, long length) {
        Endpoint endpoint = gate.admit(route, hasBody, length);
        if (endpoint == null) {
            return null;
        }
        String target = null;
        if (!endpoint.prefix().isEmpty() || !request.originFormTarget()) {
            target = endpoint.prefix() + (pathAndQuery != null ? pathAndQuery : ForwardHeaders.originForm(request.target()));
        }
        ByteBuf head = WireHeads.upstreamRequest(HEAP, request, target, request.host < 0 ? endpoint.host() + ":" + endpoint.port() : null,
                remote, via, true, 0);
        Copy copy = new Copy(loop, endpoint, head, request.methodIs("HEAD"),
                hasBody ? (int) Math.max(0, Math.min(length, gate.maxBodyBytes())) : 0);
        if (!hasBody) {
            copy.complete();
            return null;
        }
        return copy;
    }

    /** One copy: the request head, the body as it arrives, then its own exchange. */
    final class Copy implements UpstreamChannel.Listener {
        private final EventLoop loop;
        private final Endpoint endpoint;
        private ByteBuf head;
        private final boolean headRequest;
        private ByteBuf body;
        private boolean done;
        private long start;
        private Channel channel;
        private boolean answered;
        private boolean keepAlive;

        private Copy(EventLoop loop, Endpoint endpoint, ByteBuf head, boolean headRequest, int expected) {
            this.loop = loop;
            this.endpoint = endpoint;
            this.head = head;
            this.headRequest = headRequest;
            this.body = expected > 0 ? Unpooled.buffer(expected) : Unpooled.EMPTY_BUFFER;
        }

        /** Appends a piece of the real body (as framed on the wire) without consuming it; past the limit the copy is given up. */
        void append(Wire.Piece piece) {
            if (done) {
                return;
            }
            ByteBuf b = piece.bytes();
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
            head.release();
            head = Unpooled.EMPTY_BUFFER;
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
            UpstreamPools.handler(c).attach(this, headRequest);
            ByteBuf request = body.isReadable() ? Unpooled.wrappedBuffer(head, body) : head;
            if (!body.isReadable()) {
                body.release();
            }
            head = Unpooled.EMPTY_BUFFER;
            body = Unpooled.EMPTY_BUFFER;
            c.writeAndFlush(request).addListener(w -> {
                if (!w.isSuccess()) {
                    onFailure(w.cause());
                    c.close();
                }
            });
        }

        @Override
        public void onMessage(Wire message) {
            message.release();
            if (message instanceof Wire.Failure f) {
                Channel c = channel;
                onFailure(null);
                if (c != null) {
                    c.close();
                }
                return;
            }
            if (message instanceof WireHead r) {
                if (r.status >= 200 || r.status == 101) { // not a 100 Continue: the real answer
                    answered = r.status < 500;
                    keepAlive = r.keepAlive();
                }
                return;
            }
            if (!((Wire.Piece) message).last() || channel == null) {
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
