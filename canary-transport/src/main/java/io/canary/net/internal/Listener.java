package io.canary.net.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The accept loop of a node's control port: each connection gets a pooled thread. The pool is
 * bounded, so a flood of connections is refused rather than exhausting the JVM's threads.
 */
public final class Listener implements Runnable {
    private final NodeContext ctx;
    private final ServerSocket server;
    private final ExecutorService connections;

    public Listener(NodeContext ctx, ServerSocket server, ExecutorService connections) {
        this.ctx = ctx;
        this.server = server;
        this.connections = connections;
    }

    @Override
    public void run() {
        while (!ctx.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (ctx.isClosed() || server.isClosed()) {
                    return;
                }
                long suppressed = ctx.logLimiter.permit("accept-failed");
                if (suppressed >= 0) {
                    ctx.log().warn("control port {} cannot accept connections: {}{}", server.getLocalPort(),
                            e.getMessage(), LogLimiter.suppressedSuffix(suppressed));
                }
                pause();
                continue;
            }
            InboundConnection c = new InboundConnection(ctx, socket);
            ctx.opened(c);
            try {
                connections.execute(c);
            } catch (RejectedExecutionException e) {
                ctx.closed(c, null);
                NodeContext.closeQuietly(socket);
                if (!ctx.isClosed()) {
                    long suppressed = ctx.logLimiter.permit("too-many-connections");
                    if (suppressed >= 0) {
                        ctx.log().warn("refused connection from {}: too many open connections{}",
                                socket.getRemoteSocketAddress(), LogLimiter.suppressedSuffix(suppressed));
                    }
                }
            }
        }
    }

    /** After an accept failure (e.g. out of file descriptors), do not spin. */
    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
