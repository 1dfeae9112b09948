package io.canary.net.internal;

import io.canary.net.HostPort;
import io.canary.net.codec.CodecException;
import io.canary.net.codec.Hello;
import io.canary.net.codec.WireFormat;
import io.canary.transport.Message;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
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
    private final LinkedBlockingDeque<Message> queue;
    private final Backoff backoff;
    private final ByteBuffer probeBuffer = ByteBuffer.allocate(1);
    private volatile SocketChannel channel;
    private volatile boolean connected;
    private volatile Thread thread;
    private String lastFailure;

    public PeerLink(NodeContext ctx, String peerId, HostPort address, Random random) {
        this.ctx = ctx;
        this.peerId = peerId;
        this.address = address;
        this.queue = new LinkedBlockingDeque<>(ctx.config.queueCapacity());
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
        if (!queue.offerLast(m)) {
            ctx.counters.dropped.increment();
            long suppressed = ctx.logLimiter.permit("queue-full:" + peerId);
            if (suppressed >= 0) {
                ctx.log().warn("outbound queue to {} is full ({} messages): dropping {}{}", peerId,
                        ctx.config.queueCapacity(), m.getClass().getSimpleName(), LogLimiter.suppressedSuffix(suppressed));
            }
        }
    }

    public void start(Thread t) {
        thread = t;
        t.start();
    }

    @Override
    public void run() {
        Message pending = null;
        while (!ctx.isClosed()) {
            SocketChannel s = connect();
            if (s == null) {
                if (!sleep(backoff.nextDelayMillis())) {
                    return;
                }
                continue;
            }
            backoff.reset();
            pending = drain(s, pending);
            connected = false;
            NodeContext.closeQuietly(s);
        }
    }

    /** Writes queued messages until the connection fails; returns the message whose write failed, to retry once. */
    private Message drain(SocketChannel s, Message retry) {
        Message m = retry;
        try {
            OutputStream out = new BufferedOutputStream(s.socket().getOutputStream(), 64 * 1024);
            boolean flushed = true;
            while (!ctx.isClosed()) {
                if (m == null) {
                    m = queue.takeFirst();
                }
                if (flushed) {
                    probe(s);
                }
                byte[] frame;
                try {
                    frame = ctx.codec.encodeFrame(m, ctx.config.protocolVersion());
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

    /**
     * The acceptor never writes after its Hello, so readable bytes or end of stream mean the
     * connection is dead (typically: the peer restarted). A non-blocking read before each burst
     * finds that out for a few microseconds, instead of losing the burst's first message into a
     * dead socket.
     */
    private void probe(SocketChannel s) throws IOException {
        s.configureBlocking(false);
        int n;
        try {
            probeBuffer.clear();
            n = s.read(probeBuffer);
        } finally {
            s.configureBlocking(true);
        }
        if (n < 0) {
            throw new EOFException("the peer closed the connection");
        }
        if (n > 0) {
            throw new IOException("unexpected data from the peer");
        }
    }

    /** Connects and completes the handshake; null (after logging why) if that failed. */
    private SocketChannel connect() {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            channel = ch;
            if (ctx.isClosed()) {
                NodeContext.closeQuietly(ch);
                return null;
            }
            Socket s = ch.socket();
            int timeout = (int) ctx.config.connectTimeout().toMillis();
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(address.host(), address.port()), timeout);
            s.setSoTimeout(timeout);
            OutputStream out = s.getOutputStream();
            out.write(ctx.codec.encodeHello(ctx.handshake.hello()));
            out.flush();
            FrameReader reader = new FrameReader(new BufferedInputStream(s.getInputStream(), 1024),
                    WireFormat.MIN_MAX_FRAME_BYTES * 4, ctx.counters);
            FrameReader.Frame f = reader.read();
            if (f == null) {
                throw new EOFException("the peer closed the connection during the handshake");
            }
            if (f.header().type() == WireFormat.TYPE_REJECT) {
                String reason = Hello.decodeReject(f.payload(), 0, f.payload().length);
                return refused("connection to " + peerId + " at " + address + " rejected by " + peerId + ": " + reason, ch);
            }
            if (f.header().type() != WireFormat.TYPE_HELLO) {
                throw new CodecException("expected a Hello, got frame type " + f.header().type());
            }
            Hello theirs = Hello.decode(f.payload(), 0, f.payload().length);
            String problem = ctx.handshake.problemWithOutbound(theirs, peerId, address.toString());
            if (problem != null) {
                try {
                    out.write(ctx.codec.encodeReject(problem));
                    out.flush();
                } catch (IOException ignored) {
                    // they will see the connection close; our line says why
                }
                return refused("connection to " + peerId + " at " + address + " refused by " + ctx.selfId + ": " + problem, ch);
            }
            s.setSoTimeout(0);
            connected = true;
            lastFailure = null;
            ctx.log().info("connected to {} at {}", peerId, address);
            return ch;
        } catch (IOException | CodecException e) {
            NodeContext.closeQuietly(ch);
            if (!ctx.isClosed()) {
                String failure = describe(e);
                if (!failure.equals(lastFailure)) {
                    ctx.log().info("cannot reach {} at {}: {}; retrying with backoff up to {} ms", peerId, address, failure,
                            ctx.config.backoffMax().toMillis());
                } else {
                    ctx.log().debug("still cannot reach {} at {}: {}", peerId, address, failure);
                }
                lastFailure = failure;
            }
            return null;
        }
    }

    private SocketChannel refused(String line, SocketChannel s) {
        NodeContext.closeQuietly(s);
        ctx.rejected(line, address.host() + "|" + line);
        lastFailure = line;
        return null;
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
