package io.canary.launcher.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The last handler of a connection to an upstream (Netty engine): passes what the upstream sends
 * to the exchange that holds the connection now ({@link Listener}), and turns the connection's end,
 * an error or {@code upstreamTimeout} of silence into one failure for it. A pooled connection has
 * no listener: anything it receives, or its silence for the timeout, closes it.
 *
 * <p>Silence is "no byte read, nothing written and no outbound buffer drained" for the timeout. It
 * is watched by one timer per connection that re-arms itself for the time left (one task per
 * timeout period, not per request), and activity is a field write: Netty's {@code IdleStateHandler}
 * added a listener to every write's promise, which showed in the profile (BENCHMARKS.md part 3).
 *
 * <p>Threading: the connection's event loop only, which is also its client connection's.
 */
final class UpstreamChannel extends ChannelDuplexHandler {

    /** Who uses the connection now: one exchange (or one mirror copy) at a time. */
    interface Listener {
        /** The answer's head, a piece of its body, or why it cannot be read (the listener owns it: release or pass it on). */
        void onMessage(Wire message);

        /** The end of one read batch: time to flush towards the client. */
        default void onReadComplete() {
        }

        /** The connection failed, closed or timed out; called at most once per attachment. */
        void onFailure(Throwable failure);

        /** The connection's outbound buffer crossed a water mark. */
        default void onWritabilityChanged(boolean writable) {
        }
    }

    private final long timeoutNanos;
    private final WireDecoder decoder;
    private final Runnable check = this::checkSilence;
    private ChannelHandlerContext ctx;
    private Listener listener;
    private long lastActivity;
    private ScheduledFuture<?> timer;
    private ChannelPromise quiet;

    /**
     * @param timeoutMillis silence after which the connection fails (in use) or closes (pooled)
     * @param decoder the connection's reader of answers, told what each request was
     */
    UpstreamChannel(long timeoutMillis, WireDecoder decoder) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.decoder = decoder;
    }

    /** {@code l} uses the connection now; {@code head}: its request is a {@code HEAD} (the answer has no body). */
    void attach(Listener l, boolean head) {
        listener = l;
        decoder.expect(head);
    }

    /** The answer being read goes on as its data alone (its client knows no chunks). */
    void stripChunks() {
        decoder.stripChunks();
    }

    /** Detaches the current listener (the connection goes back to the pool or is closed). */
    void detach() {
        listener = null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.quiet = new VoidChannelPromise(ctx.channel(), false);
    }

    /**
     * The promise for this connection's writes: none is made per write, and a failed write is not
     * reported through it (nor fired as an exception): the connection's end reaches the exchange
     * through {@link #channelInactive}, as a {@link ClosedChannelException} (which a retry looks for).
     */
    ChannelPromise quiet() {
        return quiet;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        lastActivity = System.nanoTime();
        timer = ctx.executor().schedule(check, timeoutNanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    private void checkSilence() {
        timer = null;
        if (!ctx.channel().isOpen()) {
            return;
        }
        long left = timeoutNanos - (System.nanoTime() - lastActivity);
        if (left > 0) {
            timer = ctx.executor().schedule(check, left, TimeUnit.NANOSECONDS);
            return;
        }
        fail(new TimeoutException("upstream idle"));
        ctx.close();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastActivity = System.nanoTime();
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Listener l = listener;
        if (l == null || !(msg instanceof Wire o)) {
            // An idle pooled connection must not speak: it is out of step, so it is closed.
            if (msg instanceof Wire w) {
                w.release();
            } else {
                ReferenceCountUtil.release(msg);
            }
            ctx.close();
            return;
        }
        l.onMessage(o);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastActivity = System.nanoTime();
        Listener l = listener;
        if (l != null) {
            l.onReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        lastActivity = System.nanoTime();
        Listener l = listener;
        if (l != null) {
            l.onWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        fail(new ClosedChannelException());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
        ctx.close();
    }

    private void fail(Throwable failure) {
        Listener l = listener;
        listener = null;
        if (l != null) {
            l.onFailure(failure);
        }
    }
}
