package io.canary.net.internal;

import io.canary.net.HostPort;
import io.canary.transport.Message;
import io.canary.transport.TransportException;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The NIO model: one selector thread ({@code canary-nio-<id>}) serves the control port, every
 * inbound connection ({@link NioInbound}) and every peer's outbound connection ({@link NioPeer}),
 * so a node runs one transport thread whatever the size of the cluster. The receiver is called on
 * that thread. Inbound connections are bounded as in the blocking model (2 per peer + 16): more are
 * closed at once with a line.
 */
public final class NioEngine implements Engine {
    /** How often stalled writers are looked for. */
    private static final long STALL_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    final NodeContext ctx;
    final NioLoop loop;
    private final ServerSocketChannel server;
    private final Map<String, NioPeer> peers;
    private final int maxInbound;
    private final InboundRegistry<NioInbound> inbound = new InboundRegistry<>(NioInbound::close);

    public NioEngine(NodeContext ctx, ServerSocketChannel server, Map<String, HostPort> addresses, Random random) {
        this.ctx = ctx;
        this.server = server;
        this.maxInbound = 2 * addresses.size() + 16;
        try {
            this.loop = new NioLoop(ctx);
            server.configureBlocking(false);
        } catch (IOException e) {
            throw new TransportException("cannot start the selector of " + ctx.selfId + ": " + e.getMessage());
        }
        Map<String, NioPeer> m = new LinkedHashMap<>();
        addresses.forEach((id, address) -> m.put(id, new NioPeer(this, id, address, new Random(random.nextLong()))));
        this.peers = Map.copyOf(m);
        loop.execute(this::begin);
        Thread t = new Thread(loop, "canary-nio-" + ctx.selfId);
        t.setDaemon(true);
        loop.start(t);
    }

    private void begin() {
        if (ctx.isClosed()) {
            return;
        }
        try {
            loop.register(server, SelectionKey.OP_ACCEPT, new Acceptor());
        } catch (IOException e) {
            if (ctx.isClosed()) {
                return;
            }
            ctx.log().error("control port of {} cannot accept connections: {}", ctx.selfId, e.getMessage());
        }
        peers.values().forEach(NioPeer::connect);
        loop.schedule(STALL_CHECK_NANOS, this::checkStalls);
    }

    private void checkStalls() {
        long now = System.nanoTime();
        peers.values().forEach(p -> p.checkStall(now));
        if (!ctx.isClosed()) {
            loop.schedule(STALL_CHECK_NANOS, this::checkStalls);
        }
    }

    @Override
    public boolean offer(String peer, Message m) {
        NioPeer p = peers.get(peer);
        if (p == null) {
            return false;
        }
        p.offer(m);
        return true;
    }

    @Override
    public Set<String> connectedPeers() {
        Set<String> up = new TreeSet<>();
        peers.forEach((id, p) -> {
            if (p.isConnected()) {
                up.add(id);
            }
        });
        return up;
    }

    @Override
    public int queued(String peer) {
        NioPeer p = peers.get(peer);
        return p == null ? 0 : p.queued();
    }

    @Override
    public void close(long deadlineNanos) {
        peers.values().forEach(NioPeer::close);
        loop.stop();
        loop.join(deadlineNanos);
    }

    /** See {@link InboundRegistry#authenticated}: false if {@code c} is stale (and closed). Loop thread. */
    boolean authenticated(String peerId, NioInbound c) {
        return inbound.authenticated(peerId, c);
    }

    void closed(NioInbound c, String peerId) {
        inbound.closed(c, peerId);
    }

    /** Accepts every pending connection on the control port. */
    private final class Acceptor implements NioLoop.Handler {
        @Override
        public void ready(SelectionKey key) {
            for (int i = 0; i < 64; i++) {
                SocketChannel ch;
                try {
                    ch = server.accept();
                } catch (IOException e) {
                    acceptFailed(e);
                    return;
                }
                if (ch == null) {
                    return;
                }
                if (inbound.size() >= maxInbound) {
                    tooMany(ch);
                    continue;
                }
                NioInbound c = new NioInbound(NioEngine.this, ch);
                try {
                    inbound.opened(c);
                    c.open();
                } catch (IOException | RuntimeException e) {
                    c.close();
                }
            }
        }

        private void tooMany(SocketChannel ch) {
            String from = String.valueOf(remote(ch));
            NodeContext.closeQuietly(ch);
            long suppressed = ctx.logLimiter.permit("too-many-connections");
            if (suppressed >= 0) {
                ctx.log().warn("refused connection from {}: too many open connections{}", from,
                        LogLimiter.suppressedSuffix(suppressed));
            }
        }

        private void acceptFailed(IOException e) {
            if (ctx.isClosed()) {
                return;
            }
            long suppressed = ctx.logLimiter.permit("accept-failed");
            if (suppressed >= 0) {
                ctx.log().warn("control port {} cannot accept connections: {}{}", server.socket().getLocalPort(),
                        e.getMessage(), LogLimiter.suppressedSuffix(suppressed));
            }
            // After an accept failure (e.g. out of file descriptors), do not spin: listen again in 50 ms.
            pauseAccepting();
        }

        @Override
        public void failed(Exception e) {
            ctx.log().warn("control port of {}: {}", ctx.selfId, e.toString());
        }
    }

    private void pauseAccepting() {
        try {
            SelectionKey k = loop.keyOf(server);
            if (k != null) {
                k.interestOps(0);
                loop.schedule(TimeUnit.MILLISECONDS.toNanos(50), () -> {
                    if (k.isValid()) {
                        k.interestOps(SelectionKey.OP_ACCEPT);
                    }
                });
            }
        } catch (RuntimeException ignored) {
            // the port is closing
        }
    }

    private static Object remote(SocketChannel ch) {
        try {
            return ch.getRemoteAddress();
        } catch (IOException e) {
            return "?";
        }
    }
}
