package io.canary.launcher.proxy;

import io.canary.launcher.proxy.Upstreams.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import javax.net.ssl.SSLException;

/**
 * Keep-alive connections to upstream endpoints, pooled <em>per event loop</em> (Netty engine): a
 * client connection only ever takes a connection its own loop owns, so a request and its upstream
 * exchange run on one thread, with no hand-off and no lock. Mirror copies have pools of their own,
 * so a slow mirror target never holds the connections real traffic needs.
 *
 * <p>Idle connections per endpoint per loop are capped (beyond that a finished connection is
 * closed); a pooled connection idle for the upstream timeout is closed by its
 * {@link UpstreamChannel}; one the upstream closed is skipped when taken.
 *
 * <p>Threading: {@link #take} and {@link #give} on the calling loop only; {@link #connect} from it.
 */
final class UpstreamPools {
    /** One loop's idle connections, by endpoint (identity: {@link Upstreams} makes each endpoint once), real and mirror apart. */
    private static final class Idle {
        final IdentityHashMap<Endpoint, ArrayDeque<Channel>> real = new IdentityHashMap<>();
        final IdentityHashMap<Endpoint, ArrayDeque<Channel>> mirror = new IdentityHashMap<>();

        IdentityHashMap<Endpoint, ArrayDeque<Channel>> of(boolean isMirror) {
            return isMirror ? mirror : real;
        }
    }

    /** The largest answer head read from an upstream (status line and fields). */
    private static final int MAX_ANSWER_HEAD = 64 * 1024;

    private final Class<? extends SocketChannel> channelType;
    private final long connectTimeoutMillis;
    private final long idleMillis;
    private final int maxIdlePerLoop;
    private final SslContext tls;
    private final FastThreadLocal<Idle> idle = new FastThreadLocal<>() {
        @Override
        protected Idle initialValue() {
            return new Idle();
        }
    };

    UpstreamPools(Class<? extends SocketChannel> channelType, ProxySettings settings, int loops, boolean anyHttps) {
        this.channelType = channelType;
        this.connectTimeoutMillis = settings.connectTimeout().toMillis();
        this.idleMillis = settings.upstreamTimeout().toMillis();
        this.maxIdlePerLoop = Math.max(1, settings.maxConnectionsPerEndpoint() / Math.max(1, loops));
        try {
            this.tls = anyHttps ? SslContextBuilder.forClient().build() : null;
        } catch (SSLException e) {
            throw new IllegalStateException("no TLS client for https upstreams: " + e.getMessage(), e);
        }
    }

    /** An idle, open connection to {@code endpoint} owned by the current loop, or null. */
    Channel take(Endpoint endpoint, boolean mirror) {
        return NettyLoops.pollActive(idle.get().of(mirror).get(endpoint));
    }

    /** A connection whose exchange ended cleanly goes back to the current loop's pool (or is closed if full). */
    void give(Endpoint endpoint, boolean mirror, Channel c) {
        handler(c).detach();
        if (!c.isActive()) {
            return;
        }
        ArrayDeque<Channel> q = idle.get().of(mirror).computeIfAbsent(endpoint, k -> new ArrayDeque<>());
        if (q.size() >= maxIdlePerLoop) {
            c.close();
            return;
        }
        c.config().setAutoRead(true);
        q.addLast(c);
    }

    /** Opens a new connection to {@code endpoint} on {@code loop}; its {@link UpstreamChannel} is {@link #handler}. */
    ChannelFuture connect(EventLoop loop, Endpoint endpoint) {
        boolean https = endpoint.scheme().equals("https");
        return NettyLoops.client(loop, channelType, connectTimeoutMillis)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (https) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), endpoint.host(), endpoint.port()));
                        }
                        // Answers are read by WireDecoder (their values are not checked char by char: upstreams
                        // are the operator's servers); requests are written as bytes, no encoder.
                        WireDecoder decoder = new WireDecoder(false, MAX_ANSWER_HEAD);
                        ch.pipeline().addLast(decoder);
                        // Silence (no byte either way) for the upstream timeout: a 504 in flight, a close when pooled.
                        ch.pipeline().addLast(new UpstreamChannel(idleMillis, decoder));
                    }
                })
                .connect(endpoint.host(), endpoint.port());
    }

    /** The connection's {@link UpstreamChannel}: always the last handler of its pipeline. */
    static UpstreamChannel handler(Channel c) {
        return c.pipeline().last() instanceof UpstreamChannel u ? u : c.pipeline().get(UpstreamChannel.class);
    }
}
