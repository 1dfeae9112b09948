package io.canary.launcher.client;

/**
 * The client-side latency histogram of {@code canary load}: log-linear buckets over microseconds
 * (exact below 1.024 ms, then 512 sub-buckets per power of two: under 0.2% error), fixed memory
 * whatever the request count. Thread-safe through synchronization: load generation records a few
 * thousand values a second, far from contention.
 */
public final class LatencyHistogram {
    private static final int SUB_BUCKET_BITS = 9;
    private static final int LINEAR_LIMIT = 1 << (SUB_BUCKET_BITS + 1);
    private static final long MAX_MICROS = 3_600_000_000L;
    private static final int BUCKETS = indexOf(MAX_MICROS) + 1;

    private final long[] counts = new long[BUCKETS];
    private long total;

    /** Records one latency (clamped to [0, 1 h]). */
    public synchronized void record(long nanos) {
        long micros = Math.max(0, Math.min(MAX_MICROS, nanos / 1000));
        counts[indexOf(micros)]++;
        total++;
    }

    public synchronized long count() {
        return total;
    }

    /** The latency in milliseconds below which {@code quantile} (0..1) of recordings fall; 0 if empty. */
    public synchronized double percentileMillis(double quantile) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return valueOf(i) / 1000.0;
            }
        }
        return valueOf(counts.length - 1) / 1000.0;
    }

    private static int indexOf(long micros) {
        if (micros < LINEAR_LIMIT) {
            return (int) micros;
        }
        int shift = 63 - Long.numberOfLeadingZeros(micros) - SUB_BUCKET_BITS;
        return (int) (LINEAR_LIMIT + (shift - 1) * (1L << SUB_BUCKET_BITS) + ((micros >> shift) - (1L << SUB_BUCKET_BITS)));
    }

    /** The middle of bucket {@code index}, in microseconds. */
    private static long valueOf(int index) {
        if (index < LINEAR_LIMIT) {
            return index;
        }
        int offset = index - LINEAR_LIMIT;
        int shift = offset / (1 << SUB_BUCKET_BITS) + 1;
        long sub = offset % (1 << SUB_BUCKET_BITS) + (1L << SUB_BUCKET_BITS);
        return (sub << shift) + (1L << (shift - 1));
    }
}
