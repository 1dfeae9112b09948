package io.canary.net.internal;

import io.canary.net.codec.CodecException;
import io.canary.transport.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * One peer's bounded outbound queue for the NIO model: {@link #offer} from any thread never blocks
 * (a full queue drops, counted and logged rarely); the selector thread takes batches of encoded,
 * sealed frames ({@link #nextBatch}), dropping what waited longer than the max queue age, and puts a
 * batch back at the front if its connection failed under it (a duplicate beats a loss).
 */
final class OutboundQueue {
    /** A batch is about this many bytes (plus one frame): the most a stalled peer holds beyond its queue. */
    static final int BATCH_BYTES = 64 * 1024;

    /** Encoded frames ready to write, and the messages they carry. */
    record Batch(ByteBuffer bytes, List<Queued> messages) {
    }

    /** A message with the time it was queued (System.nanoTime), so stale ones are not sent late. */
    record Queued(Message message, long queuedAtNanos) {
    }

    private final NodeContext ctx;
    private final String peerId;
    private final LinkedBlockingDeque<Queued> queue;
    private final long maxQueueAgeNanos;

    OutboundQueue(NodeContext ctx, String peerId) {
        this.ctx = ctx;
        this.peerId = peerId;
        this.queue = new LinkedBlockingDeque<>(ctx.config.queueCapacity());
        this.maxQueueAgeNanos = ctx.config.maxQueueAge().toNanos();
    }

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** @return true if queued; false if dropped (closed, or full) */
    boolean offer(Message m) {
        if (ctx.isClosed()) {
            ctx.counters.dropped.increment();
            return false;
        }
        if (queue.offerLast(new Queued(m, System.nanoTime()))) {
            return true;
        }
        ctx.counters.dropped.increment();
        long suppressed = ctx.logLimiter.permit("queue-full:" + peerId);
        if (suppressed >= 0) {
            ctx.log().warn("outbound queue to {} is full ({} messages): dropping {}{}", peerId,
                    ctx.config.queueCapacity(), m.getClass().getSimpleName(), LogLimiter.suppressedSuffix(suppressed));
        }
        return false;
    }

    /**
     * Encodes (and seals, with {@code seal}) queued messages into one buffer of about
     * {@link #BATCH_BYTES}; null if none are left. Expired and unencodable messages are dropped.
     */
    Batch nextBatch(FrameSeal seal, int version) {
        List<byte[]> frames = new ArrayList<>();
        List<Queued> taken = new ArrayList<>();
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
                frame = seal != null ? seal.seal(ctx.frames.unsealed(q.message(), version))
                        : ctx.frames.frame(q.message(), version);
            } catch (CodecException e) {
                ctx.counters.dropped.increment();
                ctx.log().error("cannot send {} to {}: {}", q.message().getClass().getSimpleName(), peerId, e.getMessage());
                continue;
            }
            frames.add(frame);
            taken.add(q);
            bytes += frame.length;
        }
        if (frames.isEmpty()) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(bytes);
        frames.forEach(b::put);
        return new Batch(b.flip(), taken);
    }

    /** Puts the messages of a batch that never fully left back at the front, in order; what does not fit is dropped. */
    void requeue(List<Queued> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (!queue.offerFirst(messages.get(i))) {
                ctx.counters.dropped.increment();
            }
        }
    }

    void clear() {
        queue.clear();
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
}
