package io.canary.launcher.http;

import io.canary.launcher.proxy.NettyLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The data port on Netty: the node's listener for clients. {@code POST /predict} is served on its
 * event loops ({@link NettyPredict}: no thread held per request, the HTTP model called on the same
 * loop), and so is {@code POST /routing/weights} ({@link NettyWeights}: the admin check on the
 * socket's address, answered from the proposal's future); every other endpoint is relayed to the node's Javalin API, which then listens on a
 * loopback port of its own. So the API is unchanged, and the data path is not bound by Javalin's
 * thread-per-request servlet stack (BENCHMARKS.md part 3). {@code -Dcanary.predict.engine=javalin}
 * leaves Javalin on the data port instead ({@link DataPlaneServer}).
 *
 * <p>Limits: request line and headers 8 KiB (431, as Jetty's default), bodies {@code maxBodyBytes}
 * (413 {@code {"error":"request body larger than N bytes"}}, as the API's own), a connection idle
 * between requests for {@link #IDLE_SECONDS} is closed. System property {@code canary.dataport.threads}:
 * event loops (default the number of cores).
 *
 * <p>Threading: started and closed by {@link DataPlaneServer}; everything else on its loops.
 */
final class DataPortFront implements AutoCloseable {
    static final int IDLE_SECONDS = 30;
    private static final int MAX_HEADER_BYTES = 8 * 1024;
    /** Relayed answers are whole in memory: the API's are small (the largest is a dashboard asset). */
    private static final int MAX_API_ANSWER_BYTES = 16 * 1024 * 1024;
    private static final int MAX_MODEL_ANSWER_BYTES = 8 * 1024 * 1024;

    private final EventLoopGroup loops;
    private Channel server;
    private final NettyPredict predict;
    private final NettyWeights weights;
    private final LoopHttpClient api;
    private final InetSocketAddress apiAddress;
    private final long apiTimeoutMillis;

    private DataPortFront(EventLoopGroup loops, NettyPredict predict, NettyWeights weights, LoopHttpClient api,
                          InetSocketAddress apiAddress, long apiTimeoutMillis) {
        this.loops = loops;
        this.predict = predict;
        this.weights = weights;
        this.api = api;
        this.apiAddress = apiAddress;
        this.apiTimeoutMillis = apiTimeoutMillis;
    }

    /** The pieces the front needs of the data plane; {@code predict} is made with the front's model client. */
    interface PredictFactory {
        NettyPredict create(LoopHttpClient modelClient);
    }

    /**
     * Listens on {@code host:port} in front of the API at {@code apiPort} on 127.0.0.1.
     *
     * @throws Exception the bind's failure (the caller words it)
     */
    static DataPortFront start(String host, int port, int apiPort, long apiTimeoutMillis, int maxBodyBytes,
                               PredictFactory predictFactory, NettyWeights weights) throws Exception {
        NettyLoops netty = NettyLoops.start("canary-dataport", "canary.dataport.threads");
        EventLoopGroup loops = netty.group();
        Class<? extends SocketChannel> clientType = netty.clientType();
        LoopHttpClient api = new LoopHttpClient(clientType, MAX_API_ANSWER_BYTES, 5_000, 20_000, 64);
        // Model servers' keep-alive timeouts can be short (5 s is common): idle connections go first.
        LoopHttpClient models = new LoopHttpClient(clientType, MAX_MODEL_ANSWER_BYTES, 5_000, 4_000, 256);
        NettyPredict predict = predictFactory.create(models);
        DataPortFront front = new DataPortFront(loops, predict, weights, api, new InetSocketAddress("127.0.0.1", apiPort), apiTimeoutMillis);
        ServerBootstrap bootstrap = netty.server()
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
                                new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(MAX_HEADER_BYTES)
                                        .setMaxHeaderSize(MAX_HEADER_BYTES)),
                                new BodyLimit(maxBodyBytes),
                                new FrontConnection(front));
                    }
                });
        try {
            front.server = bootstrap.bind(new InetSocketAddress(host, port)).sync().channel();
            return front;
        } catch (Exception e) {
            loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    NettyPredict predict() {
        return predict;
    }

    NettyWeights weights() {
        return weights;
    }

    LoopHttpClient api() {
        return api;
    }

    InetSocketAddress apiAddress() {
        return apiAddress;
    }

    long apiTimeoutMillis() {
        return apiTimeoutMillis;
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2_000);
        loops.shutdownGracefully(0, 1_000, TimeUnit.MILLISECONDS).awaitUninterruptibly(3_000);
    }

    /** Whole requests up to the body limit; beyond it the API's own 413, and the connection closes. */
    private static final class BodyLimit extends HttpObjectAggregator {
        private final int maxBodyBytes;

        BodyLimit(int maxBodyBytes) {
            super(maxBodyBytes);
            this.maxBodyBytes = maxBodyBytes;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            FullHttpResponse r = FrontConnection.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body larger than " + maxBodyBytes + " bytes");
            // As Netty's own: close if the body started or the client will not go on; else the rest is dropped.
            if (oversized instanceof FullHttpMessage || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized))) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }
    }
}
