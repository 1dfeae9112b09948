package io.canary.launcher.http;

import io.canary.launcher.proxy.NettyLoops;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * A small HTTP/1.1 client for whole messages on the caller's Netty event loop: the node's own
 * {@code /predict} calls to HTTP models and {@link DataPortFront}'s relay to the node's API. Keep-alive
 * connections are pooled per event loop per address (a call never leaves its loop, so nothing
 * locks); each call has its own deadline; an answer over {@code maxAnswerBytes} fails the call.
 * Idle pooled connections close after {@code idleMillis} (shorter than the servers' own keep-alive
 * timeouts, so that a server rarely closes one just as it is reused). A request is never sent twice:
 * a POST may have been acted on.
 *
 * <p>Threading: {@link #send} on an event loop of the group the client was made for; the callback
 * runs on that loop, exactly once.
 */
final class LoopHttpClient {
    private final Class<? extends SocketChannel> channelType;
    private final int maxAnswerBytes;
    private final long connectTimeoutMillis;
    private final long idleMillis;
    private final int maxIdlePerAddress;
    private final FastThreadLocal<Map<InetSocketAddress, ArrayDeque<Channel>>> idle = new FastThreadLocal<>() {
        @Override
        protected Map<InetSocketAddress, ArrayDeque<Channel>> initialValue() {
            return new HashMap<>();
        }
    };

    LoopHttpClient(Class<? extends SocketChannel> channelType, int maxAnswerBytes, long connectTimeoutMillis, long idleMillis,
                   int maxIdlePerAddress) {
        this.channelType = channelType;
        this.maxAnswerBytes = maxAnswerBytes;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.idleMillis = idleMillis;
        this.maxIdlePerAddress = maxIdlePerAddress;
    }

    /**
     * Sends {@code request} (released here) to {@code address} and calls {@code done} with the
     * answer (the callee owns and releases it) or the failure: a {@link TimeoutException} after
     * {@code timeoutMillis}, the connect failure, or a {@link ClosedChannelException} if the
     * connection ended before the answer did.
     */
    void send(EventLoop loop, InetSocketAddress address, FullHttpRequest request, long timeoutMillis,
              BiConsumer<FullHttpResponse, Throwable> done) {
        Call call = new Call(loop, address, request, done);
        call.deadline = loop.schedule(call::timedOut, timeoutMillis, TimeUnit.MILLISECONDS);
        Channel pooled = take(address);
        if (pooled != null) {
            call.on(pooled);
            return;
        }
        connect(loop, address).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                call.on(f.channel());
            } else {
                call.finish(null, f.cause());
            }
        });
    }

    private Channel take(InetSocketAddress address) {
        return NettyLoops.pollActive(idle.get().get(address));
    }

    private void give(InetSocketAddress address, Channel c) {
        ArrayDeque<Channel> q = idle.get().computeIfAbsent(address, a -> new ArrayDeque<>());
        if (q.size() >= maxIdlePerAddress || !c.isActive()) {
            c.close();
            return;
        }
        handler(c).idleSince = System.nanoTime();
        q.addLast(c);
    }

    private ChannelFuture connect(EventLoop loop, InetSocketAddress address) {
        return NettyLoops.client(loop, channelType, connectTimeoutMillis)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(new HttpDecoderConfig()
                                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false)), false, false),
                                new HttpObjectAggregator(maxAnswerBytes), new Answers());
                    }
                })
                .connect(address);
    }

    private static Answers handler(Channel c) {
        return (Answers) c.pipeline().last();
    }

    /** One call: its request, its connection once it has one, its deadline; finished once. */
    private final class Call {
        final EventLoop loop;
        final InetSocketAddress address;
        FullHttpRequest request;
        final BiConsumer<FullHttpResponse, Throwable> done;
        ScheduledFuture<?> deadline;
        Channel channel;
        boolean finished;

        Call(EventLoop loop, InetSocketAddress address, FullHttpRequest request, BiConsumer<FullHttpResponse, Throwable> done) {
            this.loop = loop;
            this.address = address;
            this.request = request;
            this.done = done;
        }

        void on(Channel c) {
            if (finished) {
                give(address, c);
                return;
            }
            channel = c;
            handler(c).call = this;
            FullHttpRequest r = request;
            request = null;
            c.writeAndFlush(r);
        }

        void timedOut() {
            if (!finished) {
                Channel c = channel;
                finish(null, new TimeoutException("no answer within the deadline"));
                if (c != null) {
                    handler(c).call = null;
                    c.close();
                }
            }
        }

        void answered(FullHttpResponse r) {
            Channel c = channel;
            channel = null;
            handler(c).call = null;
            if (HttpUtil.isKeepAlive(r)) {
                give(address, c);
            } else {
                c.close();
            }
            finish(r, null);
        }

        void finish(FullHttpResponse r, Throwable failure) {
            if (finished) {
                if (r != null) {
                    r.release();
                }
                return;
            }
            finished = true;
            if (deadline != null) {
                deadline.cancel(false);
            }
            if (request != null) {
                request.release();
                request = null;
            }
            done.accept(r, failure);
        }
    }

    /** The last handler of a client connection: hands the aggregated answer to the current call. */
    private final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
        Call call;
        long idleSince;
        ScheduledFuture<?> idleCheck;

        Answers() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
            Call c = call;
            if (c == null) {
                r.release(); // an idle connection must not speak
                ctx.close();
                return;
            }
            if (r.status().code() < 200) {
                r.release(); // 100 Continue: the real answer follows
                return;
            }
            c.answered(r);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Call c = call;
            call = null;
            if (idleCheck != null) {
                idleCheck.cancel(false);
            }
            if (c != null) {
                c.finish(null, new ClosedChannelException());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Call c = call;
            call = null;
            ctx.close();
            if (c != null) {
                c.finish(null, cause);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            idleCheck = ctx.executor().scheduleAtFixedRate(() -> {
                if (call == null && idleSince > 0 && System.nanoTime() - idleSince > TimeUnit.MILLISECONDS.toNanos(idleMillis)) {
                    ctx.close();
                }
            }, idleMillis, idleMillis, TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }
    }
}
