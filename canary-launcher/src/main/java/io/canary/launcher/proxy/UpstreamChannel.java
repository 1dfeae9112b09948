package io.canary.launcher.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

/**
 * The last handler of a connection to an upstream (Netty engine): passes what the upstream sends
 * to the exchange that holds the connection now ({@link Listener}), and turns the connection's end,
 * an error or {@code upstreamTimeout} of silence into one failure for it. A pooled connection has
 * no listener: anything it receives, or its idle timeout, closes it.
 *
 * <p>Threading: the connection's event loop only, which is also its client connection's.
 */
final class UpstreamChannel extends ChannelInboundHandlerAdapter {

    /** Who uses the connection now: one exchange (or one mirror copy) at a time. */
    interface Listener {
        /** A decoded piece of the answer (the listener owns it: release or pass it on). */
        void onMessage(HttpObject message);

        /** The end of one read batch: time to flush towards the client. */
        default void onReadComplete() {
        }

        /** The connection failed, closed or timed out; called at most once per attachment. */
        void onFailure(Throwable failure);

        /** The connection's outbound buffer crossed a water mark. */
        default void onWritabilityChanged(boolean writable) {
        }
    }

    private Listener listener;

    void attach(Listener l) {
        listener = l;
    }

    /** Detaches the current listener (the connection goes back to the pool or is closed). */
    void detach() {
        listener = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Listener l = listener;
        if (l == null || !(msg instanceof HttpObject o)) {
            // An idle pooled connection must not speak: it is out of step, so it is closed.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        l.onMessage(o);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Listener l = listener;
        if (l != null) {
            l.onReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Listener l = listener;
        if (l != null) {
            l.onWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new ClosedChannelException());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            fail(new TimeoutException("upstream idle"));
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void fail(Throwable failure) {
        Listener l = listener;
        listener = null;
        if (l != null) {
            l.onFailure(failure);
        }
    }
}
