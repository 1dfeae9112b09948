package io.canary.net.internal;

import io.canary.net.HostPort;
import io.canary.transport.Message;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * Our one outbound connection to one peer, on the selector thread: its bounded
 * {@link OutboundQueue}, which {@link #offer} fills from any thread without ever blocking; each
 * connection attempt ({@link NioDial}: TCP, TLS if configured, the handshake); then batches of
 * sealed frames written as fast as the peer takes them; reconnection with capped exponential
 * backoff and jitter. A peer that stops reading holds at most its queue and one batch; its
 * connection is closed after the write-stall timeout. Same lines and counters as the blocking
 * {@link PeerLink} and {@link Dialer}.
 */
final class NioPeer implements NioLoop.Handler, NioDial.Outcome {
    private enum Stage { IDLE, DIALLING, OPEN }

    private final NodeContext ctx;
    private final NioLoop loop;
    private final String peerId;
    private final HostPort address;
    private final OutboundQueue queue;
    private final long stallNanos;
    private final Backoff backoff;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private volatile boolean connected;
    // Loop-confined from here on.
    private Stage stage = Stage.IDLE;
    private SocketChannel ch;
    private SelectionKey key;
    private FrameSeal seal;
    /** The open connection's bytes (TLS under it if configured); what it holds unwritten: the handshake's last frame, or one batch. */
    private NioWire wire;
    /** The messages of the batch in {@link #wire}: queued again at the front if the connection fails under them. */
    private List<OutboundQueue.Queued> inFlight = List.of();
    private long lastProgressNanos;
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
        stage = Stage.DIALLING;
        new NioDial(ctx, loop, peerId, address, this).start();
    }

    @Override
    public void dialOpened(SocketChannel channel, SelectionKey k, NioWire w, FrameSeal s) {
        ch = channel;
        key = k;
        k.attach(this);
        wire = w;
        seal = s;
        stage = Stage.OPEN;
        connected = true;
        lastFailure = null;
        backoff.reset();
        ctx.log().info("connected to {} at {}", peerId, address);
        if (wire.idle()) {
            flush();
        }
    }

    /** A connection attempt failed: log once per distinct reason, retry after the backoff. */
    @Override
    public void dialFailed(String failure) {
        ctx.cannotReach(peerId, address, failure, lastFailure);
        lastFailure = failure;
        retryLater();
    }

    @Override
    public void dialRefused(ConnectorHandshake.Refused r) {
        ctx.rejected(r.getMessage(), address.host() + "|" + r.getMessage());
        lastFailure = r.getMessage();
        retryLater();
    }

    @Override
    public void ready(SelectionKey k) throws IOException {
        if (k.isValid() && k.isWritable() && writeOut() && stage == Stage.OPEN) {
            batchWritten();
            flush();
        }
        if (k.isValid() && k.isReadable() && stage == Stage.OPEN) {
            probeAlive();
        }
    }

    private void flushTask() {
        flushScheduled.set(false);
        flush();
    }

    /** Writes queued messages in batches while the socket takes them; loop thread only. */
    private void flush() {
        if (stage != Stage.OPEN || !wire.idle() || queue.isEmpty()) {
            return; // not connected yet (queued until then), a batch waits for OP_WRITE, or nothing to do
        }
        // Before each burst: a peer that restarted shows as end of stream; find out now, not by losing the burst.
        if (!probeAlive() || (!wire.idle() && !writeOut())) {
            return;
        }
        long budget = 16L * OutboundQueue.BATCH_BYTES; // per round, so that one busy peer does not starve the others
        while (stage == Stage.OPEN && wire.idle() && budget > 0) {
            OutboundQueue.Batch batch = queue.nextBatch(seal, ctx.config.protocolVersion());
            if (batch == null) {
                return;
            }
            budget -= batch.bytes().remaining();
            inFlight = batch.messages();
            lastProgressNanos = System.nanoTime();
            try {
                wire.queue(batch.bytes());
            } catch (SSLException e) {
                lost(NioDial.describe(e));
                return;
            }
            if (writeOut()) {
                batchWritten();
            }
        }
        if (stage == Stage.OPEN && wire.idle() && !queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
            loop.execute(this::flushTask);
        }
    }

    /** Writes what waits in the wire, with OP_WRITE while some is left; true once all of it is written. */
    private boolean writeOut() {
        if (stage != Stage.OPEN) {
            return false;
        }
        try {
            if (wire.flush(key) > 0) {
                lastProgressNanos = System.nanoTime();
            }
        } catch (IOException e) {
            lost(NioDial.describe(e));
            return false;
        }
        return wire.idle();
    }

    /** Every frame of the batch is in the socket: its messages count as sent. */
    private void batchWritten() {
        ctx.counters.sent.add(inFlight.size());
        inFlight = List.of();
    }

    /**
     * The non-blocking read the blocking writer calls a probe: the acceptor never writes after its
     * handshake (TLS session tickets aside, which the wire takes in), so plaintext or the end of the
     * stream mean the connection is dead (typically: the peer restarted). False, and the connection
     * closed, if so.
     */
    private boolean probeAlive() {
        ByteBuffer plain;
        try {
            plain = wire.read(loop.readBuffer);
        } catch (IOException e) {
            lost(NioDial.describe(e));
            return false;
        }
        if (plain == null || plain.hasRemaining()) {
            lost(plain == null ? "the peer closed the connection" : "unexpected data from the peer");
            return false;
        }
        return true;
    }

    /** Called by the engine's periodic check: closes a connection whose unsent bytes made no progress for too long. */
    void checkStall(long now) {
        if (stage != Stage.OPEN || wire.idle() || now - lastProgressNanos <= stallNanos) {
            return;
        }
        ctx.counters.stalled.increment();
        long suppressed = ctx.logLimiter.permit("stalled:" + peerId);
        if (suppressed >= 0) {
            ctx.log().warn("{} stopped reading: {} bytes unsent for {} ms; closing the connection and dialling again"
                            + " (its queue keeps at most {} messages){}", peerId, wire.waiting(),
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
        NodeContext.closeQuietly(ch);
        ch = null;
        key = null;
        wire = null;
        seal = null;
        queue.requeue(inFlight);
        inFlight = List.of();
    }

    @Override
    public void failed(Exception e) {
        if (stage == Stage.OPEN) {
            lost(NioDial.describe(e));
        }
    }

    /** On close: drop what is queued. Any thread; the loop closes the channel itself on its way out. */
    void close() {
        connected = false;
        queue.clear();
    }
}
