package io.canary.launcher.http;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One version's request latencies since the node started, in the fixed {@code le} buckets of
 * {@code canary_request_latency_seconds}: what Prometheus needs for {@code rate()} and
 * {@code histogram_quantile()}, which the sliding health window (whose counts fall as it rolls)
 * cannot give. Counts only grow.
 *
 * <p>Thread-safe, lock-free and allocation-free on {@link #record}: a binary search over a
 * constant array and two or three atomic adds.
 */
final class CumulativeLatency {
    /** Bucket upper bounds in seconds: Prometheus' default latency buckets plus a few. */
    static final double[] LE_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private static final long[] LE_NANOS = new long[LE_SECONDS.length];

    static {
        for (int i = 0; i < LE_SECONDS.length; i++) {
            LE_NANOS[i] = Math.round(LE_SECONDS[i] * 1e9);
        }
    }

    /** Per bucket (not cumulative): requests whose latency is in (previous bound, this bound]; last = above all. */
    private final AtomicLongArray buckets = new AtomicLongArray(LE_SECONDS.length + 1);
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();

    void record(long nanos) {
        long n = Math.max(0, nanos);
        buckets.incrementAndGet(bucketOf(n));
        sumNanos.add(n);
        count.increment();
    }

    /** Index of the first bound {@code >= nanos}, or {@code LE_SECONDS.length} for above all. */
    static int bucketOf(long nanos) {
        int lo = 0;
        int hi = LE_NANOS.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (LE_NANOS[mid] < nanos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * A consistent-enough view for one scrape: cumulative bucket counts ({@code le} order, then
     * +Inf), the sum in seconds and the count. Read the count last and never report fewer in +Inf
     * than in any bucket, so a scrape racing a request is still a valid histogram.
     */
    Snapshot snapshot() {
        long[] cumulative = new long[LE_SECONDS.length + 1];
        long running = 0;
        for (int i = 0; i < cumulative.length; i++) {
            running += buckets.get(i);
            cumulative[i] = running;
        }
        double sum = sumNanos.sum() / 1e9;
        long total = Math.max(running, count.sum());
        cumulative[cumulative.length - 1] = total;
        return new Snapshot(cumulative, sum, total);
    }

    /** @param cumulative counts per {@code le} bound, the last one +Inf (equal to {@code count}) */
    record Snapshot(long[] cumulative, double sumSeconds, long count) {
        static final Snapshot EMPTY = new Snapshot(new long[LE_SECONDS.length + 1], 0, 0);
    }
}
