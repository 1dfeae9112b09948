package io.canary.launcher.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayDeque;

/**
 * The Netty machinery shared by the node's two Netty listeners, the proxy and the data port's
 * front: event loops (epoll where available, else NIO; {@code canary.proxy.nio=true} forces NIO;
 * Netty's buffer leak detection off unless {@code io.netty.leakDetection.level} is set),
 * the matching channel types, a server bootstrap with the common options, and the pool helper.
 *
 * <p>Buffers come from Netty's pooled allocator (thread-local caches of direct memory, addressed
 * with raw copies), not Netty 4.2's default adaptive one, unless {@code io.netty.allocator.type} is
 * set: the adaptive allocator made a {@code java.nio} view object for every copy into or out of its
 * buffers, and in the same runs the pooled one cost the proxy ~6% less CPU per request
 * (BENCHMARKS.md part 3).
 *
 * @param threads how many event loops {@code group} has
 */
public record NettyLoops(EventLoopGroup group, int threads, Class<? extends ServerSocketChannel> serverType,
                         Class<? extends SocketChannel> clientType) {

    /**
     * Starts daemon event loops named {@code name}: as many as system property {@code threadsProperty}
     * says, by default one per core. Shut them down with {@code group().shutdownGracefully}.
     */
    public static NettyLoops start(String name, String threadsProperty) {
        if (System.getProperty("io.netty.leakDetection.level") == null && System.getProperty("io.netty.leakDetectionLevel") == null) {
            // Sampling every buffer's life shows in the data plane's profile; -Dio.netty.leakDetection.level=simple brings it back.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        boolean epoll = Epoll.isAvailable() && !Boolean.getBoolean("canary.proxy.nio");
        int threads = Math.max(1, Integer.getInteger(threadsProperty, Runtime.getRuntime().availableProcessors()));
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
        return new NettyLoops(group, threads, epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class,
                epoll ? EpollSocketChannel.class : NioSocketChannel.class);
    }

    /** A server bootstrap on these loops: backlog 1024, {@code TCP_NODELAY} on accepted connections, {@link #allocator}. */
    public ServerBootstrap server() {
        return new ServerBootstrap().group(group).channel(serverType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.ALLOCATOR, allocator())
                .childOption(ChannelOption.ALLOCATOR, allocator())
                .childOption(ChannelOption.TCP_NODELAY, true);
    }

    /** The pooled allocator, or Netty's default if {@code io.netty.allocator.type} names one. */
    public static ByteBufAllocator allocator() {
        return System.getProperty("io.netty.allocator.type") == null ? PooledByteBufAllocator.DEFAULT : ByteBufAllocator.DEFAULT;
    }

    /**
     * A client bootstrap on {@code loop}: {@code TCP_NODELAY}, {@link #allocator}, and a connect
     * attempt bounded by {@code connectTimeoutMillis}.
     */
    public static Bootstrap client(EventLoop loop, Class<? extends SocketChannel> channelType, long connectTimeoutMillis) {
        return new Bootstrap().group(loop).channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, allocator())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis));
    }

    /** The most recently pooled connection of {@code idle} that is still open (closed ones are dropped), or null. */
    public static Channel pollActive(ArrayDeque<Channel> idle) {
        if (idle == null) {
            return null;
        }
        for (Channel c; (c = idle.pollLast()) != null; ) {
            if (c.isActive()) {
                return c;
            }
        }
        return null;
    }
}
