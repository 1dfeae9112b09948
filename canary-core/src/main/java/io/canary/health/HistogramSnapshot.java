package io.canary.health;

import java.util.Arrays;

/**
 * An immutable copy of a latency histogram's bucket counts, as sent between nodes and merged into
 * cluster health. The bucket layout (which latency each index stands for) is fixed by the
 * histogram implementation in this package and is the same on every node, so snapshots from
 * different nodes merge by adding counts index by index.
 */
public final class HistogramSnapshot {
    /** A histogram with no recordings. */
    public static final HistogramSnapshot EMPTY = new HistogramSnapshot(new long[0]);

    private final long[] counts;

    private HistogramSnapshot(long[] counts) {
        this.counts = counts;
    }

    /**
     * Wraps a copy of the given counts. Trailing zero buckets are trimmed so that equal
     * distributions compare equal whatever the array length.
     *
     * @throws IllegalArgumentException if any count is negative
     */
    public static HistogramSnapshot ofCounts(long[] counts) {
        int len = counts.length;
        while (len > 0 && counts[len - 1] == 0) {
            len--;
        }
        long[] copy = Arrays.copyOf(counts, len);
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] < 0) {
                throw new IllegalArgumentException("bucket " + i + " has a negative count: " + copy[i]);
            }
        }
        return len == 0 ? EMPTY : new HistogramSnapshot(copy);
    }

    /** Number of buckets held (trailing empty buckets are not held). */
    public int length() {
        return counts.length;
    }

    /** Count in bucket {@code index}; 0 past the end. */
    public long count(int index) {
        return index < counts.length ? counts[index] : 0;
    }

    /** A copy of the counts. */
    public long[] counts() {
        return counts.clone();
    }

    /** Total number of recordings. */
    public long totalCount() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /**
     * The nearest-rank quantile {@code q} of the recorded latencies in milliseconds, within
     * {@link HistogramLayout#MAX_RELATIVE_ERROR} of the exact value; 0 with no recordings.
     *
     * @param q in [0, 1], e.g. 0.95 for the p95
     * @throws IllegalArgumentException if {@code q} is outside [0, 1]
     */
    public double percentileMillis(double q) {
        return HistogramLayout.quantileNanos(counts, q) / 1_000_000.0;
    }

    /** The bucket-wise sum of this and {@code other}. */
    public HistogramSnapshot merge(HistogramSnapshot other) {
        long[] sum = Arrays.copyOf(counts, Math.max(counts.length, other.counts.length));
        for (int i = 0; i < other.counts.length; i++) {
            sum[i] += other.counts[i];
        }
        return ofCounts(sum);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HistogramSnapshot h && Arrays.equals(counts, h.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "HistogramSnapshot[total=" + totalCount() + ", buckets=" + counts.length + "]";
    }
}
