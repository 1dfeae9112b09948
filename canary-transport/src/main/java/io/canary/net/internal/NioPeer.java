package io.canary.net.internal;

import io.canary.net.HostPort;
import io.canary.net.codec.WireFormat;
import io.canary.transport.Message;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Our one outbound connection to one peer, on the selector thread: its bounded
 * {@link OutboundQueue}, which {@link #offer} fills from any thread without ever blocking; the
 * connector's side of the handshake ({@link ConnectorHandshake}); then batches of sealed frames
 * written as fast as the peer takes them; reconnection with capped exponential backoff and jitter.
 * A peer that stops reading holds at most its queue and one batch; its connection is closed after
 * the write-stall timeout. Same lines and counters as the blocking {@link PeerLink} and {@link Dialer}.
 */
final class NioPeer implements NioLoop.Handler {
    private enum Stage { IDLE, CONNECTING, HANDSHAKE, OPEN }

    private final NodeContext ctx;
    private final NioLoop loop;
    private final String peerId;
    private final HostPort address;
    private final OutboundQueue queue;
    private final long stallNanos;
    private final Backoff backoff;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    private volatile boolean connected;
    // Loop-confined from here on.
    private Stage stage = Stage.IDLE;
    private int attempt;
    private SocketChannel ch;
    private SelectionKey key;
    private FrameDecoder decoder;
    private ConnectorHandshake handshake;
    private FrameSeal seal;
    /** Bytes the socket has not taken yet: handshake frames, or one batch. */
    private ByteBuffer out;
    /** The messages of the batch in {@link #out}: queued again at the front if the connection fails under them. */
    private List<OutboundQueue.Queued> inFlight = List.of();
    private long lastProgressNanos;
    /** Counts handshake progress (connected, each frame), so a timeout armed before it knows it is stale. */
    private int progress;
    private String lastFailure;

    NioPeer(NioEngine engine, String peerId, HostPort address, Random random) {
        this.ctx = engine.ctx;
        this.loop = engine.loop;
        this.peerId = peerId;
        this.address = address;
        this.queue = new OutboundQueue(ctx, peerId);
        this.stallNanos = ctx.config.writeStallTimeout().toNanos();
        this.backoff = new Backoff(ctx.config.backoffInitial(), ctx.config.backoffMax(), ctx.config.backoffJitter(), random);
    }

    boolean isConnected() {
        return connected;
    }

    int queued() {
        return queue.size();
    }

    /** Queues {@code m} and makes sure the selector will write it; never blocks. Any thread. */
    void offer(Message m) {
        if (queue.offer(m) && flushScheduled.compareAndSet(false, true)) {
            loop.execute(this::flushTask);
        }
    }

    /** Starts a connection attempt now; loop thread only. */
    void connect() {
        if (ctx.isClosed() || stage != Stage.IDLE) {
            return;
        }
        attempt++;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            stage = Stage.CONNECTING;
            armTimeout();
            // A literal address costs nothing; a host name is resolved here (the JVM caches lookups).
            if (ch.connect(new InetSocketAddress(address.host(), address.port()))) {
                key = loop.register(ch, SelectionKey.OP_READ, this);
                startHandshake();
            } else {
                key = loop.register(ch, SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException | RuntimeException e) {
            failed(describe(e));
        }
    }

    /** The connect timeout bounds each wait (TCP connect, each handshake frame), as the blocking dialler's timeouts do. */
    private void armTimeout() {
        int thisAttempt = attempt;
        int thisProgress = ++progress;
        loop.schedule(ctx.config.connectTimeout().toNanos(), () -> {
            if (attempt == thisAttempt && progress == thisProgress && (stage == Stage.CONNECTING || stage == Stage.HANDSHAKE)) {
                failed("timed out");
            }
        });
    }

    private void startHandshake() {
        armTimeout();
        stage = Stage.HANDSHAKE;
        decoder = new FrameDecoder(WireFormat.MIN_MAX_FRAME_BYTES * 4, ctx.counters);
        handshake = new ConnectorHandshake(ctx, peerId, address);
        seal = null;
        out = ByteBuffer.wrap(handshake.first());
        writeOut();
    }

    @Override
    public void ready(SelectionKey k) throws IOException {
        if (stage == Stage.CONNECTING) {
            if (k.isConnectable()) {
                try {
                    if (!ch.finishConnect()) {
                        return;
                    }
                } catch (IOException e) {
                    failed(describe(e));
                    return;
                }
                k.interestOps(SelectionKey.OP_READ);
                startHandshake();
            }
            return;
        }
        if (k.isValid() && k.isWritable() && writeOut() && stage == Stage.OPEN) {
            batchWritten();
            flush();
        }
        if (k.isValid() && k.isReadable()) {
            readable();
        }
    }

    private void readable() {
        if (ch == null) {
            return;
        }
        ByteBuffer buf = loop.readBuffer;
        buf.clear();
        int n;
        try {
            n = ch.read(buf);
        } catch (IOException e) {
            broken(describe(e));
            return;
        }
        if (stage == Stage.OPEN) {
            // The acceptor never writes after its handshake: bytes or end of stream mean the connection is
            // dead (typically: the peer restarted).
            if (n != 0) {
                lost(n < 0 ? "the peer closed the connection" : "unexpected data from the peer");
            }
            return;
        }
        if (n == 0 || stage != Stage.HANDSHAKE) {
            return;
        }
        buf.flip();
        try {
            while (stage == Stage.HANDSHAKE) {
                FrameReader.Frame f = decoder.next(buf);
                if (f == null) {
                    break;
                }
                armTimeout();
                ConnectorHandshake.Step step = handshake.onFrame(f);
                if (step.send() != null) {
                    send(step.send());
                }
                if (step.open()) {
                    open(step.seal());
                }
            }
            if (n < 0 && stage == Stage.HANDSHAKE) {
                decoder.endOfStream();
                failed("the peer closed the connection during the handshake");
            }
        } catch (ConnectorHandshake.Refused r) {
            refused(r);
        } catch (RuntimeException e) {
            failed(describe(e));
        }
    }

    private void open(FrameSeal s) {
        seal = s;
        stage = Stage.OPEN;
        decoder = null;
        handshake = null;
        connected = true;
        lastFailure = null;
        backoff.reset();
        ctx.log().info("connected to {} at {}", peerId, address);
        if (out == null) {
            flush();
        }
    }

    /** A handshake frame: small, so the socket takes it at once; appended to {@link #out} if not. */
    private void send(byte[] frame) {
        if (out != null) {
            ByteBuffer joined = ByteBuffer.allocate(out.remaining() + frame.length);
            out = joined.put(out).put(frame).flip();
        } else {
            out = ByteBuffer.wrap(frame);
        }
        writeOut();
    }

    private void flushTask() {
        flushScheduled.set(false);
        flush();
    }

    /** Writes queued messages in batches while the socket takes them; loop thread only. */
    private void flush() {
        if (stage != Stage.OPEN || out != null || queue.isEmpty()) {
            return; // not connected yet (queued until then), a batch waits for OP_WRITE, or nothing to do
        }
        // Before each burst: a peer that restarted shows as end of stream; find out now, not by losing the burst.
        if (!probeAlive()) {
            return;
        }
        long budget = 16L * OutboundQueue.BATCH_BYTES; // per round, so that one busy peer does not starve the others
        while (stage == Stage.OPEN && out == null && budget > 0) {
            OutboundQueue.Batch batch = queue.nextBatch(seal, ctx.config.protocolVersion());
            if (batch == null) {
                return;
            }
            budget -= batch.bytes().remaining();
            out = batch.bytes();
            inFlight = batch.messages();
            lastProgressNanos = System.nanoTime();
            if (writeOut()) {
                batchWritten();
            }
        }
        if (stage == Stage.OPEN && out == null && !queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
            loop.execute(this::flushTask);
        }
    }

    /** Writes {@link #out}, registering for OP_WRITE while some waits; true once all of it is written. */
    private boolean writeOut() {
        if (out == null || ch == null) {
            return false;
        }
        try {
            if (ch.write(out) > 0) {
                lastProgressNanos = System.nanoTime();
            }
        } catch (IOException e) {
            broken(describe(e));
            return false;
        }
        if (out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            return false;
        }
        out = null;
        key.interestOps(SelectionKey.OP_READ);
        return true;
    }

    /** Every frame of the batch is in the socket: its messages count as sent. */
    private void batchWritten() {
        ctx.counters.sent.add(inFlight.size());
        inFlight = List.of();
    }

    /** The non-blocking read the blocking writer calls a probe: false (and the connection closed) if it is dead. */
    private boolean probeAlive() {
        try {
            probe.clear();
            int n = ch.read(probe);
            if (n == 0) {
                return true;
            }
            lost(n < 0 ? "the peer closed the connection" : "unexpected data from the peer");
        } catch (IOException e) {
            lost(describe(e));
        }
        return false;
    }

    /** Called by the engine's periodic check: closes a connection whose unsent bytes made no progress for too long. */
    void checkStall(long now) {
        if (stage != Stage.OPEN || out == null || now - lastProgressNanos <= stallNanos) {
            return;
        }
        ctx.counters.stalled.increment();
        long suppressed = ctx.logLimiter.permit("stalled:" + peerId);
        if (suppressed >= 0) {
            ctx.log().warn("{} stopped reading: {} bytes unsent for {} ms; closing the connection and dialling again"
                            + " (its queue keeps at most {} messages){}", peerId, out.remaining(),
                    (now - lastProgressNanos) / 1_000_000, ctx.config.queueCapacity(), LogLimiter.suppressedSuffix(suppressed));
        }
        // Like a failed attempt, not a lost connection: a peer that never reads is not dialled in a hot loop.
        retryLater();
    }

    /** An established connection failed: queue its unsent messages again and dial at once (as the blocking writer does). */
    private void lost(String why) {
        if (!ctx.isClosed()) {
            ctx.log().info("lost connection to {} at {}: {}; reconnecting", peerId, address, why);
        }
        reset();
        connect();
    }

    /** A write or read failed: lost if the connection was established, a failed attempt otherwise. */
    private void broken(String why) {
        if (stage == Stage.OPEN) {
            lost(why);
        } else {
            failed(why);
        }
    }

    /** A connection attempt failed: log once per distinct reason, retry after the backoff. */
    private void failed(String failure) {
        if (!ctx.isClosed()) {
            if (!failure.equals(lastFailure)) {
                ctx.log().info("cannot reach {} at {}: {}; retrying with backoff up to {} ms", peerId, address, failure,
                        ctx.config.backoffMax().toMillis());
            } else {
                ctx.log().debug("still cannot reach {} at {}: {}", peerId, address, failure);
            }
        }
        lastFailure = failure;
        retryLater();
    }

    private void refused(ConnectorHandshake.Refused r) {
        if (r.reject != null && ch != null) {
            try {
                ch.write(ByteBuffer.wrap(r.reject));
            } catch (IOException | RuntimeException ignored) {
                // they will see the connection close; our line says why
            }
        }
        ctx.rejected(r.getMessage(), address.host() + "|" + r.getMessage());
        lastFailure = r.getMessage();
        retryLater();
    }

    private void retryLater() {
        reset();
        if (!ctx.isClosed()) {
            loop.schedule(TimeUnit.MILLISECONDS.toNanos(backoff.nextDelayMillis()), this::connect);
        }
    }

    /** Closes the channel; messages of an unfinished batch go back to the front of the queue (a duplicate beats a loss). */
    private void reset() {
        connected = false;
        stage = Stage.IDLE;
        attempt++;
        NodeContext.closeQuietly(ch);
        ch = null;
        key = null;
        out = null;
        decoder = null;
        handshake = null;
        queue.requeue(inFlight);
        inFlight = List.of();
    }

    @Override
    public void failed(Exception e) {
        broken(describe(e));
    }

    /** On close: drop what is queued. Any thread; the loop closes the channel itself on its way out. */
    void close() {
        connected = false;
        queue.clear();
    }

    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
