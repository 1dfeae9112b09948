package io.canary.net.internal;

import io.canary.net.TransportStats;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The transport's counters, updated from any of its threads. */
public final class Counters {
    public final LongAdder sent = new LongAdder();
    public final LongAdder received = new LongAdder();
    public final LongAdder dropped = new LongAdder();
    public final LongAdder malformed = new LongAdder();
    public final LongAdder rejected = new LongAdder();
    public final LongAdder accepted = new LongAdder();
    public final LongAdder expired = new LongAdder();
    /** Of the malformed: frames whose checksum did not match (damaged in transit). */
    public final LongAdder corrupt = new LongAdder();
    /** Of the malformed: frames whose authentication tag did not match (altered, replayed or reordered). */
    public final LongAdder forged = new LongAdder();
    /** Outbound connections closed because the peer stopped reading (no write progress for the stall timeout). */
    public final LongAdder stalled = new LongAdder();
    private final AtomicLong largestFrame = new AtomicLong();
    private final AtomicLong largestDecode = new AtomicLong();

    void frameAllocated(long bytes) {
        largestFrame.accumulateAndGet(bytes, Math::max);
    }

    void decodeCharged(long bytes) {
        largestDecode.accumulateAndGet(bytes, Math::max);
    }

    public TransportStats snapshot() {
        return new TransportStats(sent.sum(), received.sum(), dropped.sum(), malformed.sum(), rejected.sum(),
                accepted.sum(), largestFrame.get(), largestDecode.get(), expired.sum(), corrupt.sum(), forged.sum(),
                stalled.sum());
    }
}
