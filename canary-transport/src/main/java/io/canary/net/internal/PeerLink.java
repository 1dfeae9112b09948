package io.canary.net.internal;

import io.canary.net.HostPort;
import io.canary.net.codec.CodecException;
import io.canary.transport.Message;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * Our one outbound connection to one peer: a bounded queue that {@link #offer} fills without ever
 * blocking, and a writer thread that connects (handshake included), drains the queue into the
 * socket, and reconnects with capped exponential backoff and jitter when the connection fails.
 */
public final class PeerLink implements Runnable {
    private final NodeContext ctx;
    private final String peerId;
    private final HostPort address;
    private final LinkedBlockingDeque<Queued> queue;
    private final long maxQueueAgeNanos;
    private final Backoff backoff;
    private final Dialer dialer;
    private volatile SocketChannel channel;
    private volatile boolean connected;
    private volatile Thread thread;
    private String lastFailure;

    public PeerLink(NodeContext ctx, String peerId, HostPort address, Random random) {
        this.ctx = ctx;
        this.peerId = peerId;
        this.address = address;
        this.queue = new LinkedBlockingDeque<>(ctx.config.queueCapacity());
        this.maxQueueAgeNanos = ctx.config.maxQueueAge().toNanos();
        this.dialer = new Dialer(ctx, peerId, address);
        this.backoff = new Backoff(ctx.config.backoffInitial(), ctx.config.backoffMax(), ctx.config.backoffJitter(), random);
    }

    public String peerId() {
        return peerId;
    }

    /** True while the connection is up and the handshake done. */
    public boolean isConnected() {
        return connected;
    }

    /** Queues {@code m} for the writer; never blocks. A full queue drops the message (counted, logged rarely). */
    public void offer(Message m) {
        if (ctx.isClosed()) {
            ctx.counters.dropped.increment();
            return;
        }
        if (!queue.offerLast(new Queued(m, System.nanoTime()))) {
            ctx.counters.dropped.increment();
            long suppressed = ctx.logLimiter.permit("queue-full:" + peerId);
            if (suppressed >= 0) {
                ctx.log().warn("outbound queue to {} is full ({} messages): dropping {}{}", peerId,
                        ctx.config.queueCapacity(), m.getClass().getSimpleName(), LogLimiter.suppressedSuffix(suppressed));
            }
        }
    }

    /** Messages waiting in the queue. */
    public int queued() {
        return queue.size();
    }

    public void start(Thread t) {
        thread = t;
        t.start();
    }

    @Override
    public void run() {
        Message pending = null;
        while (!ctx.isClosed()) {
            Connection c = connect();
            if (c == null) {
                if (!sleep(backoff.nextDelayMillis())) {
                    return;
                }
                continue;
            }
            backoff.reset();
            pending = drain(c, pending);
            connected = false;
            c.close();
        }
    }

    /** Writes queued messages until the connection fails; returns the message whose write failed, to retry. */
    private Message drain(Connection c, Message retry) {
        Message m = retry;
        try {
            OutputStream out = new BufferedOutputStream(c.out(), 64 * 1024);
            boolean flushed = true;
            while (!ctx.isClosed()) {
                if (m == null) {
                    m = freshOrNull(queue.takeFirst());
                    if (m == null) {
                        continue;
                    }
                }
                if (flushed) {
                    c.probe();
                }
                byte[] frame;
                try {
                    frame = c.seal() != null ? c.seal().seal(ctx.frames.unsealed(m, ctx.config.protocolVersion()))
                            : ctx.frames.frame(m, ctx.config.protocolVersion());
                } catch (CodecException e) {
                    ctx.counters.dropped.increment();
                    ctx.log().error("cannot send {} to {}: {}", m.getClass().getSimpleName(), peerId, e.getMessage());
                    m = null;
                    continue;
                }
                out.write(frame);
                flushed = queue.isEmpty();
                if (flushed) {
                    out.flush();
                }
                ctx.counters.sent.increment();
                m = null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!ctx.isClosed()) {
                ctx.log().info("lost connection to {} at {}: {}; reconnecting", peerId, address, e.getMessage());
                return m;
            }
        }
        return null;
    }

    /** The queued message, or null (dropped and counted) if it waited longer than the max queue age. */
    private Message freshOrNull(Queued q) {
        if (System.nanoTime() - q.queuedAtNanos() <= maxQueueAgeNanos) {
            return q.message();
        }
        ctx.counters.dropped.increment();
        ctx.counters.expired.increment();
        long suppressed = ctx.logLimiter.permit("queue-expired:" + peerId);
        if (suppressed >= 0) {
            ctx.log().info("dropping {} queued for {} longer than {} ms while it was unreachable{}",
                    q.message().getClass().getSimpleName(), peerId, maxQueueAgeNanos / 1_000_000,
                    LogLimiter.suppressedSuffix(suppressed));
        }
        return null;
    }

    /** A message with the time it was queued (System.nanoTime), so stale ones are not sent late. */
    private record Queued(Message message, long queuedAtNanos) {
    }

    /** Connects and completes the handshakes; null (after logging why) if that failed. */
    private Connection connect() {
        if (ctx.isClosed()) {
            return null;
        }
        try {
            Connection c = dialer.dial(ch -> {
                channel = ch;
                if (ctx.isClosed()) {
                    NodeContext.closeQuietly(ch);
                }
            });
            connected = true;
            lastFailure = null;
            ctx.log().info("connected to {} at {}", peerId, address);
            return c;
        } catch (Dialer.Refused e) {
            ctx.rejected(e.getMessage(), address.host() + "|" + e.getMessage());
            lastFailure = e.getMessage();
            return null;
        } catch (IOException | CodecException e) {
            if (!ctx.isClosed()) {
                String failure = describe(e);
                ctx.cannotReach(peerId, address, failure, lastFailure);
                lastFailure = failure;
            }
            return null;
        }
    }

    private static String describe(Exception e) {
        if (e instanceof SocketTimeoutException) {
            return "timed out";
        }
        String msg = e.getMessage();
        return msg != null ? msg : e.getClass().getSimpleName();
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the writer: closes the socket (unblocking a write) and interrupts the thread (unblocking a wait). */
    public void close() {
        connected = false;
        NodeContext.closeQuietly(channel);
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        queue.clear();
    }

    /** Waits up to {@code millis} for the writer thread to end. */
    public void join(long millis) throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join(Math.max(1, millis));
        }
    }
}
