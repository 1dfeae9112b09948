package io.canary.health;

/**
 * The fixed bucket layout every latency histogram in the cluster shares, so that bucket {@code i}
 * means the same latency on every node and snapshots merge by adding counts index by index.
 *
 * <p>Log-linear (HdrHistogram style): each power of two of nanoseconds from 2^9 ns up to 2^35 ns
 * is split into {@value #SUB_BUCKETS} equal sub-buckets. A bucket is therefore at most 1/32 of its
 * lower bound wide, and reporting its midpoint is within 1/64 (about 1.6%) of any value in it:
 * comfortably inside the 3% the design asks for. The range is 1 µs to 60 s; values outside it are
 * clamped to the nearest end, so a percentile never reports less than 1 µs or more than 60 s.
 *
 * <p>Changing this layout changes what the counts on the wire mean: it is part of the protocol.
 */
public final class HistogramLayout {
    /** The smallest latency told apart: 1 µs. Smaller values count as 1 µs. */
    public static final long MIN_NANOS = 1_000L;
    /** The largest latency told apart: 60 s. Larger values count as 60 s. */
    public static final long MAX_NANOS = 60_000_000_000L;
    /** Sub-buckets per power of two. */
    public static final int SUB_BUCKETS = 32;
    /** Worst-case relative error of a reported percentile (half a bucket over its lower bound). */
    public static final double MAX_RELATIVE_ERROR = 1.0 / (2 * SUB_BUCKETS);

    private static final int SUB_BUCKET_BITS = Integer.numberOfTrailingZeros(SUB_BUCKETS);
    private static final int MIN_EXPONENT = 63 - Long.numberOfLeadingZeros(MIN_NANOS);

    /** Number of buckets: the index of {@link #MAX_NANOS} plus one. */
    public static final int BUCKET_COUNT = indexOf(MAX_NANOS) + 1;

    private HistogramLayout() {
    }

    /** The bucket a latency falls in, after clamping it to [{@link #MIN_NANOS}, {@link #MAX_NANOS}]. */
    public static int indexOf(long nanos) {
        long v = nanos < MIN_NANOS ? MIN_NANOS : Math.min(nanos, MAX_NANOS);
        int exponent = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (exponent - SUB_BUCKET_BITS)) - SUB_BUCKETS;
        return (exponent - MIN_EXPONENT) * SUB_BUCKETS + sub;
    }

    /** The smallest latency (inclusive) counted in bucket {@code index}. */
    public static long lowerBoundNanos(int index) {
        int exponent = index / SUB_BUCKETS + MIN_EXPONENT;
        long sub = index % SUB_BUCKETS;
        return (SUB_BUCKETS + sub) << (exponent - SUB_BUCKET_BITS);
    }

    /** The latency (exclusive) where bucket {@code index} ends. */
    public static long upperBoundNanos(int index) {
        int exponent = index / SUB_BUCKETS + MIN_EXPONENT;
        return lowerBoundNanos(index) + (1L << (exponent - SUB_BUCKET_BITS));
    }

    /** The value reported for recordings in bucket {@code index}: its midpoint, within the range. */
    public static double representativeNanos(int index) {
        double mid = (lowerBoundNanos(index) + upperBoundNanos(index)) / 2.0;
        return Math.max(MIN_NANOS, Math.min(MAX_NANOS, mid));
    }

    /**
     * The nearest-rank {@code q}-quantile of a histogram given by its bucket counts: the
     * representative value of the bucket holding the {@code ceil(q * total)}-th smallest recording.
     * 0 when there are no recordings.
     *
     * @param q in [0, 1], e.g. 0.95 for p95
     */
    public static double quantileNanos(long[] counts, double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0,1], got " + q);
        }
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        // The epsilon keeps q * total from rounding up past an exact rank (0.95 * 100 -> 95.00000000000001).
        long rank = Math.max(1, (long) Math.ceil(q * total - 1e-9));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return representativeNanos(i);
            }
        }
        return representativeNanos(counts.length - 1);
    }
}
