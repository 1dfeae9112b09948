package io.canary.health;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A latency histogram that many threads record into at once: one atomic increment per recording,
 * no lock, no allocation. Fixed memory ({@link HistogramLayout#BUCKET_COUNT} longs, about 7 KB).
 * Counts only grow; windows over time are made by subtracting earlier copies (see
 * {@link VersionWindow}).
 *
 * <p>Threading: {@link #record} is safe from any thread. A copy taken while others record is not a
 * single instant's picture, but every recording is in it or in the next one, never lost.
 */
public final class LatencyHistogram {
    private final AtomicLongArray counts = new AtomicLongArray(HistogramLayout.BUCKET_COUNT);

    /**
     * Counts one latency. Values below 1 µs (negative ones included) count as 1 µs, values above
     * 60 s as 60 s. Lock-free and allocation-free.
     */
    public void record(long latencyNanos) {
        counts.incrementAndGet(HistogramLayout.indexOf(latencyNanos));
    }

    /** Copies the current counts into {@code target} (length {@link HistogramLayout#BUCKET_COUNT}) without allocating. */
    public void copyInto(long[] target) {
        for (int i = 0; i < target.length; i++) {
            target[i] = counts.get(i);
        }
    }

    /** An immutable copy of the counts. */
    public HistogramSnapshot snapshot() {
        long[] copy = new long[HistogramLayout.BUCKET_COUNT];
        copyInto(copy);
        return HistogramSnapshot.ofCounts(copy);
    }

    /** Recordings so far. */
    public long totalCount() {
        long total = 0;
        for (int i = 0; i < counts.length(); i++) {
            total += counts.get(i);
        }
        return total;
    }
}
