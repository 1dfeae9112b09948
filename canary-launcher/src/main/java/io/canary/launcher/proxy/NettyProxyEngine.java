package io.canary.launcher.proxy;

import io.canary.launcher.LauncherException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The default proxy engine, on Netty: one event loop per core (epoll where available, else NIO).
 * Each accepted client connection lives on one loop, and so do the upstream connections its
 * requests use ({@link UpstreamPools} pools them per loop): a request is read, routed, forwarded,
 * answered and recorded on one thread, with no hand-off between a server selector, a client
 * selector and a worker pool (which is where Jetty's proxy spent its CPU: BENCHMARKS.md part 3).
 * Bodies stream piece by piece with back-pressure (auto-read follows the other side's
 * writability), so memory per request is a few buffers, never a body.
 *
 * <p>Pipeline of a client connection: an {@link IdleStateHandler} (the client timeout), the
 * HTTP/1.x reader {@link WireDecoder} (request line and headers bounded by {@code maxHeaderBytes}),
 * then {@link ClientConnection}, which writes bytes (no HTTP encoder: heads are written by
 * {@link WireHeads}, bodies go on as framed on the wire).
 *
 * <p>System properties: {@code canary.proxy.threads} (event loops, default the number of cores),
 * {@code canary.proxy.nio=true} (NIO even where epoll is available).
 */
final class NettyProxyEngine implements ProxyServer.Engine {
    private static final long STOP_TIMEOUT_MILLIS = 2_000;

    private final EventLoopGroup loops;
    private final Channel server;
    private final LongAdder inFlight;
    private final AtomicBoolean closed = new AtomicBoolean();

    private NettyProxyEngine(EventLoopGroup loops, Channel server, LongAdder inFlight) {
        this.loops = loops;
        this.server = server;
        this.inFlight = inFlight;
    }

    static NettyProxyEngine start(ProxySettings settings, ProxyNode node, ProxyStats stats) {
        NettyLoops netty = NettyLoops.start("canary-proxy-" + node.id(), "canary.proxy.threads");
        EventLoopGroup loops = netty.group();

        Upstreams upstreams = new Upstreams(settings.upstreams());
        boolean anyHttps = settings.upstreams().values().stream().flatMap(u -> u.endpoints().stream())
                .anyMatch(u -> "https".equalsIgnoreCase(u.getScheme()));
        UpstreamPools pools = new UpstreamPools(netty.clientType(), settings, netty.threads(), anyHttps);
        // Always there, even without --mirror: a rollout's shadow step copies through it.
        byte[] via = WireHeads.ascii("1.1 " + node.id());
        NettyMirror mirror = new NettyMirror(new MirrorGate(upstreams, node, settings.mirror(), stats), pools, via);
        LongAdder inFlight = new LongAdder();
        NettyProxyContext px = new NettyProxyContext(settings, node, stats, new RequestRouter(node, upstreams, settings), upstreams,
                pools, mirror, via, inFlight);
        int maxHeader = settings.maxHeaderBytes();
        long clientTimeout = settings.clientTimeout().toMillis();
        ServerBootstrap bootstrap = netty.server()
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new IdleStateHandler(clientTimeout, 0, 0, TimeUnit.MILLISECONDS),
                                new WireDecoder(true, maxHeader),
                                new ClientConnection(px));
                    }
                });
        try {
            Channel server = bootstrap.bind(new InetSocketAddress(settings.bindHost(), settings.port())).sync().channel();
            return new NettyProxyEngine(loops, server, inFlight);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw LauncherException.environment("the proxy did not start: interrupted", e);
        } catch (Exception e) {
            loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw LauncherException.environment("cannot listen for the proxy on " + settings.bindHost() + ":" + settings.port()
                    + ": " + (isBindFailure(e) ? "the port is already in use" : e.getMessage()), e);
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.BindException || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close().awaitUninterruptibly(STOP_TIMEOUT_MILLIS);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MILLIS);
        while (inFlight.sum() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        loops.shutdownGracefully(0, STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).awaitUninterruptibly(2 * STOP_TIMEOUT_MILLIS);
    }
}
