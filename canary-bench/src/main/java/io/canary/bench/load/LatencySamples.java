package io.canary.bench.load;

import java.util.Arrays;

/**
 * Exact latency percentiles over a bounded number of samples (every sample kept, sorted once at the
 * end). Percentiles are nearest-rank: with 1,000 samples p99.9 is the 999th, close to the maximum.
 * Threading: {@link #add} from any thread (synchronized: samples are milliseconds apart).
 */
public final class LatencySamples {
    private final long[] nanos;
    private int size;

    public LatencySamples(int capacity) {
        this.nanos = new long[capacity];
    }

    public synchronized void add(long latencyNanos) {
        if (size < nanos.length) {
            nanos[size++] = latencyNanos;
        }
    }

    public synchronized int size() {
        return size;
    }

    /** Nearest-rank percentile in milliseconds, {@code p} in (0, 100]; NaN without samples. */
    public synchronized double percentileMillis(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(nanos, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
    }

    public synchronized double meanMillis() {
        if (size == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += nanos[i];
        }
        return sum / size / 1e6;
    }
}
