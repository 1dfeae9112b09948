package io.canary.net.internal;

import io.canary.net.HostPort;
import io.canary.net.codec.AuthOffer;
import io.canary.net.codec.CodecException;
import io.canary.net.codec.Hello;
import io.canary.net.codec.WireFormat;
import io.canary.transport.Message;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Our one outbound connection to one peer, on the selector thread: a bounded queue that
 * {@link #offer} fills from any thread without ever blocking, the connector's side of the
 * handshake, then batches of sealed frames written as fast as the peer takes them, and reconnection
 * with capped exponential backoff and jitter. A peer that stops reading holds at most its queue and
 * one batch; its connection is closed after the write-stall timeout. Same lines and counters as the
 * blocking {@link PeerLink} and {@link Dialer}.
 */
final class NioPeer implements NioLoop.Handler {
    /** A batch is at most this many bytes (plus one frame): the most a stalled peer holds beyond its queue. */
    static final int BATCH_BYTES = 64 * 1024;

    private enum Stage { IDLE, CONNECTING, HELLO, AUTH, PROOF, OPEN }

    private final NioEngine engine;
    private final NodeContext ctx;
    private final NioLoop loop;
    private final String peerId;
    private final HostPort address;
    private final LinkedBlockingDeque<Queued> queue;
    private final long maxQueueAgeNanos;
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
    private AuthOffer ours;
    private byte[] pairKey;
    private FrameSeal seal;
    private ByteBuffer out;
    /** The messages whose frames are in {@link #out}: queued again at the front if the connection fails under them. */
    private final List<Queued> inFlight = new ArrayList<>();
    private long lastProgressNanos;
    private String lastFailure;

    NioPeer(NioEngine engine, String peerId, HostPort address, Random random) {
        this.engine = engine;
        this.ctx = engine.ctx;
        this.loop = engine.loop;
        this.peerId = peerId;
        this.address = address;
        this.queue = new LinkedBlockingDeque<>(ctx.config.queueCapacity());
        this.maxQueueAgeNanos = ctx.config.maxQueueAge().toNanos();
        this.stallNanos = ctx.config.writeStallTimeout().toNanos();
        this.backoff = new Backoff(ctx.config.backoffInitial(), ctx.config.backoffMax(), ctx.config.backoffJitter(), random);
    }

    boolean isConnected() {
        return connected;
    }

    int queued() {
        return queue.size();
    }

    /** Queues {@code m}; never blocks. A full queue drops the message (counted, logged rarely). Any thread. */
    void offer(Message m) {
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
            return;
        }
        if (flushScheduled.compareAndSet(false, true)) {
            loop.execute(this::flushTask);
        }
    }

    // ---- connecting ----

    /** Starts a connection attempt now; loop thread only. */
    void connect() {
        if (ctx.isClosed() || stage != Stage.IDLE) {
            return;
        }
        int thisAttempt = ++attempt;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            stage = Stage.CONNECTING;
            // A literal address costs nothing; a host name is resolved here (the JVM caches lookups).
            if (ch.connect(new InetSocketAddress(address.host(), address.port()))) {
                key = loop.register(ch, SelectionKey.OP_READ, this);
                connectedTcp();
            } else {
                key = loop.register(ch, SelectionKey.OP_CONNECT, this);
            }
            loop.schedule(ctx.config.connectTimeout().toNanos(), () -> {
                if (attempt == thisAttempt && stage != Stage.OPEN && stage != Stage.IDLE) {
                    failed("timed out");
                }
            });
        } catch (IOException | RuntimeException e) {
            failed(describe(e));
        }
    }

    private void connectedTcp() throws IOException {
        stage = Stage.HELLO;
        decoder = new FrameDecoder(WireFormat.MIN_MAX_FRAME_BYTES * 4, ctx.counters);
        ours = ctx.auth.offer();
        out = null;
        pairKey = null;
        seal = null;
        byte[] hello = ctx.codec.encodeHello(ctx.handshake.hello());
        byte[] auth = ctx.codec.encodeAuth(ours);
        writeControl(hello, auth);
    }

    @Override
    public void ready(SelectionKey k) throws IOException {
        if (stage == Stage.CONNECTING && k.isConnectable()) {
            try {
                if (!ch.finishConnect()) {
                    return;
                }
            } catch (IOException e) {
                failed(describe(e));
                return;
            }
            k.interestOps(SelectionKey.OP_READ);
            connectedTcp();
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
            // The acceptor never writes after its handshake: bytes or end of stream mean the connection is dead
            // (typically: the peer restarted).
            if (n != 0) {
                lost(n < 0 ? "the peer closed the connection" : "unexpected data from the peer");
            }
            return;
        }
        if (n == 0) {
            return;
        }
        buf.flip();
        try {
            while (stage == Stage.HELLO || stage == Stage.AUTH || stage == Stage.PROOF) {
                FrameReader.Frame f = decoder.next(buf);
                if (f == null) {
                    break;
                }
                handshakeFrame(f);
            }
            if (n < 0 && stage != Stage.IDLE) {
                decoder.endOfStream();
                failed("the peer closed the connection during the handshake");
            }
        } catch (Refused r) {
            refused(r.getMessage());
        } catch (RuntimeException e) {
            failed(describe(e));
        }
    }

    /** The connector's side: the peer's Hello and auth frame, then (with a secret) our proof first and the peer's after it. */
    private void handshakeFrame(FrameReader.Frame f) {
        switch (stage) {
            case HELLO -> {
                byte[] hello = expect(f, WireFormat.TYPE_HELLO, "a Hello");
                String problem = ctx.handshake.problemWithOutbound(Hello.decode(hello, 0, hello.length), peerId,
                        address.toString());
                if (problem != null) {
                    throw refuse(problem);
                }
                stage = Stage.AUTH;
            }
            case AUTH -> {
                byte[] auth = expect(f, WireFormat.TYPE_AUTH, "its auth frame");
                AuthOffer offer = AuthOffer.decode(auth, 0, auth.length);
                String problem = ctx.auth.problemWithMode(peerId, offer.mode());
                if (problem != null) {
                    throw refuse(problem);
                }
                if (offer.mode() == AuthOffer.Mode.NONE) {
                    open(null);
                    return;
                }
                pairKey = ctx.auth.key(peerId).orElse(null);
                if (pairKey == null) {
                    throw refuse(ctx.auth.noKey(peerId));
                }
                byte[] nonceA = offer.nonce();
                writeControl(ctx.codec.encodeProof(ctx.auth.proof(pairKey, Authenticator.Role.CONNECTOR, ctx.selfId, peerId,
                        ours.nonce(), nonceA)));
                this.nonceA = nonceA;
                stage = Stage.PROOF;
            }
            case PROOF -> {
                byte[] proof = AuthOffer.decodeProof(expect(f, WireFormat.TYPE_PROOF, "its proof"), 0, AuthOffer.PROOF_BYTES);
                if (!ctx.auth.verify(pairKey, Authenticator.Role.ACCEPTOR, ctx.selfId, peerId, ours.nonce(), nonceA, proof)) {
                    // No Reject: a peer that verified our proof holds our pair key, so this one is no member; just close.
                    throw new Refused("connection to " + peerId + " at " + address + " refused by " + ctx.selfId + ": "
                            + Authenticator.badProof(peerId, ctx.selfId));
                }
                open(ctx.auth.session(pairKey, ctx.selfId, peerId, ours.nonce(), nonceA));
            }
            default -> { }
        }
    }

    private byte[] nonceA;

    /** The peer's frame, which must be of {@code type}; a Reject is the peer refusing us. */
    private byte[] expect(FrameReader.Frame f, int type, String what) {
        if (f.header().type() == WireFormat.TYPE_REJECT) {
            String reason = Printable.of(Hello.decodeReject(f.payload(), 0, f.payload().length), 300);
            throw new Refused("connection to " + peerId + " at " + address + " rejected by " + peerId + ": " + reason);
        }
        if (f.header().type() != type) {
            throw new CodecException("expected " + what + " from " + peerId + ", got frame type " + f.header().type());
        }
        return f.payload();
    }

    /** Tells the peer why we refuse it and returns the line our log shows. */
    private Refused refuse(String problem) {
        try {
            ch.write(ByteBuffer.wrap(ctx.codec.encodeReject(problem)));
        } catch (IOException | RuntimeException ignored) {
            // they will see the connection close; our line says why
        }
        return new Refused("connection to " + peerId + " at " + address + " refused by " + ctx.selfId + ": " + problem);
    }

    private void open(FrameSeal s) {
        seal = s;
        stage = Stage.OPEN;
        decoder = null;
        connected = true;
        lastFailure = null;
        backoff.reset();
        ctx.log().info("connected to {} at {}", peerId, address);
        if (out == null || !out.hasRemaining()) {
            out = null;
            flush();
        }
    }

    /** A handshake frame (Hello, auth, proof): small, so the socket takes it at once; kept in {@link #out} if not. */
    private void writeControl(byte[]... frames) {
        int total = 0;
        for (byte[] f : frames) {
            total += f.length;
        }
        ByteBuffer b = ByteBuffer.allocate(total + (out != null ? out.remaining() : 0));
        if (out != null) {
            b.put(out);
        }
        for (byte[] f : frames) {
            b.put(f);
        }
        b.flip();
        out = b;
        writeOut();
    }

    // ---- sending ----

    private void flushTask() {
        flushScheduled.set(false);
        flush();
    }

    /** Writes queued messages in batches while the socket takes them; loop thread only. */
    private void flush() {
        if (stage != Stage.OPEN || out != null) {
            return; // not connected yet (queued until then), or a batch waits for OP_WRITE
        }
        if (queue.isEmpty()) {
            return;
        }
        // Before each burst: a peer that restarted shows as end of stream; find out now, not by losing the burst.
        if (!probeAlive()) {
            return;
        }
        long budget = 16L * BATCH_BYTES; // per round, so that one busy peer does not starve the others
        while (stage == Stage.OPEN && out == null && budget > 0) {
            ByteBuffer batch = nextBatch();
            if (batch == null) {
                return;
            }
            budget -= batch.remaining();
            out = batch;
            lastProgressNanos = System.nanoTime();
            if (writeOut()) {
                batchWritten();
            }
        }
        if (stage == Stage.OPEN && out == null && !queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
            loop.execute(this::flushTask);
        }
    }

    /** Encodes and seals queued messages into one buffer of about {@link #BATCH_BYTES}; null if none are left. */
    private ByteBuffer nextBatch() {
        List<byte[]> frames = new ArrayList<>();
        int bytes = 0;
        while (bytes < BATCH_BYTES) {
            Queued q = queue.pollFirst();
            if (q == null) {
                break;
            }
            if (!fresh(q)) {
                continue;
            }
            byte[] frame;
            try {
                frame = seal != null ? seal.seal(ctx.codec.encodeUnsealed(q.message(), ctx.config.protocolVersion()))
                        : ctx.codec.encodeFrame(q.message(), ctx.config.protocolVersion());
            } catch (CodecException e) {
                ctx.counters.dropped.increment();
                ctx.log().error("cannot send {} to {}: {}", q.message().getClass().getSimpleName(), peerId, e.getMessage());
                continue;
            }
            frames.add(frame);
            inFlight.add(q);
            bytes += frame.length;
        }
        if (frames.isEmpty()) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(bytes);
        frames.forEach(b::put);
        return b.flip();
    }

    /**
     * Writes what {@link #out} holds; registers for OP_WRITE while the socket cannot take it all.
     *
     * @return true if all of it was written (and {@link #out} is empty); false if some waits, or the connection broke
     */
    private boolean writeOut() {
        if (out == null || ch == null) {
            return false;
        }
        try {
            int n = ch.write(out);
            if (n > 0) {
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

    /** Every frame of the batch is in the socket: the messages count as sent. */
    private void batchWritten() {
        ctx.counters.sent.add(inFlight.size());
        inFlight.clear();
    }

    /** The non-blocking read the blocking model calls a probe: false (and the connection closed) if it is dead. */
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

    /** True if {@code q} may still be sent; false (dropped and counted) if it waited longer than the max queue age. */
    private boolean fresh(Queued q) {
        if (System.nanoTime() - q.queuedAtNanos() <= maxQueueAgeNanos) {
            return true;
        }
        ctx.counters.dropped.increment();
        ctx.counters.expired.increment();
        long suppressed = ctx.logLimiter.permit("queue-expired:" + peerId);
        if (suppressed >= 0) {
            ctx.log().info("dropping {} queued for {} longer than {} ms while it was unreachable{}",
                    q.message().getClass().getSimpleName(), peerId, maxQueueAgeNanos / 1_000_000,
                    LogLimiter.suppressedSuffix(suppressed));
        }
        return false;
    }

    /** Called by the engine's periodic check: closes a connection whose unsent bytes made no progress for too long. */
    void checkStall(long now) {
        if (stage == Stage.OPEN && out != null && out.hasRemaining() && now - lastProgressNanos > stallNanos) {
            ctx.counters.stalled.increment();
            long suppressed = ctx.logLimiter.permit("stalled:" + peerId);
            if (suppressed >= 0) {
                ctx.log().warn("{} stopped reading: {} bytes unsent for {} ms; closing the connection and dialling again"
                                + " (its queue keeps at most {} messages){}", peerId, out.remaining(),
                        (now - lastProgressNanos) / 1_000_000, ctx.config.queueCapacity(),
                        LogLimiter.suppressedSuffix(suppressed));
            }
            reset();
            // Like a failed attempt, not a lost connection: a peer that never reads is not dialled in a hot loop.
            loop.schedule(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(backoff.nextDelayMillis()), this::connect);
        }
    }

    // ---- failures ----

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

    private void refused(String line) {
        ctx.rejected(line, address.host() + "|" + line);
        lastFailure = line;
        retryLater();
    }

    private void retryLater() {
        reset();
        if (!ctx.isClosed()) {
            loop.schedule(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(backoff.nextDelayMillis()), this::connect);
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
        for (int i = inFlight.size() - 1; i >= 0; i--) {
            if (!queue.offerFirst(inFlight.get(i))) {
                ctx.counters.dropped.increment();
            }
        }
        inFlight.clear();
    }

    @Override
    public void failed(Exception e) {
        broken(describe(e));
    }

    /** On close: drop what is queued. */
    void close() {
        connected = false;
        NodeContext.closeQuietly(ch);
        queue.clear();
    }

    private static String describe(Exception e) {
        if (e instanceof java.net.SocketTimeoutException) {
            return "timed out";
        }
        String msg = e.getMessage();
        return msg != null ? msg : e.getClass().getSimpleName();
    }

    /** A message with the time it was queued (System.nanoTime), so stale ones are not sent late. */
    private record Queued(Message message, long queuedAtNanos) {
    }

    /** The peer, or we, refused the connection; the message is the line both logs show. */
    private static final class Refused extends RuntimeException {
        Refused(String line) {
            super(line, null, false, false);
        }
    }
}
