package io.canary.health;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One version's traffic over a sliding window (default 6 sub-windows of 5 s) on one node.
 *
 * <p>How the window slides: recording only ever adds to cumulative counters (one lock-free
 * histogram increment, plus one counter increment for an error); it never reads the clock and
 * never resets anything, so no recording can be lost to a concurrent rotation. The ring of
 * sub-windows lives on the reading side: the first read in each sub-window (by the injected time
 * source) keeps a copy of the cumulative counts as that sub-window's boundary, in a ring of
 * {@code subWindows + 1} preallocated arrays. A read returns "cumulative now minus the oldest
 * boundary still inside the window". The node reads every health interval, so boundaries are at
 * most that late; if reads were rarer, the window is shorter rather than older (it never reaches
 * back further than its length), and {@link #lastWindowStart()} says where it really starts.
 *
 * <p>{@link #truncate()} starts the window afresh now: the node calls it when its weights change,
 * so that health describes only traffic routed under the current weights (a rollout step judges
 * its own traffic, not the previous step's).
 *
 * <p>Threading: {@link #record} from any thread, lock-free and allocation-free. Reads and
 * {@link #truncate()} are synchronized among themselves (they are rare) and never block recording.
 */
public final class VersionWindow {
    /** Sub-windows in a window unless told otherwise. */
    public static final int DEFAULT_SUB_WINDOWS = 6;

    private final String version;
    private final LongSupplier clock;
    private final long subWindowMillis;
    private final int subWindows;
    private final LatencyHistogram latency = new LatencyHistogram();
    private final AtomicLong errors = new AtomicLong();

    // Reading side, guarded by this.
    private final int capacity;
    private final long[][] boundaryCounts;
    private final long[] boundaryErrors;
    private final long[] boundarySlot;
    private final long[] boundaryTime;
    private int newest;
    private int held;
    private final long[] markCounts = new long[HistogramLayout.BUCKET_COUNT];
    private long markErrors;
    private long markTime = Long.MIN_VALUE;
    private final long[] scratch = new long[HistogramLayout.BUCKET_COUNT];
    private long lastWindowStart;

    /**
     * @param version the version measured
     * @param window the window length, split into {@code subWindows} equal sub-windows
     * @param subWindows how many sub-windows (&gt;= 1); the window slides one sub-window at a time
     * @param clock epoch milliseconds; a manual clock in tests
     */
    public VersionWindow(String version, Duration window, int subWindows, LongSupplier clock) {
        this.version = Objects.requireNonNull(version, "version");
        this.clock = Objects.requireNonNull(clock, "clock");
        checkShape(window, subWindows);
        this.subWindows = subWindows;
        this.subWindowMillis = window.toMillis() / subWindows;
        this.capacity = subWindows + 1;
        this.boundaryCounts = new long[capacity][HistogramLayout.BUCKET_COUNT];
        this.boundaryErrors = new long[capacity];
        this.boundarySlot = new long[capacity];
        this.boundaryTime = new long[capacity];
        long now = clock.getAsLong();
        // The first boundary is the empty histogram at creation.
        boundarySlot[0] = Math.floorDiv(now, subWindowMillis);
        boundaryTime[0] = now;
        held = 1;
        lastWindowStart = now;
    }

    /**
     * Checks a window's length and sub-window count.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    static void checkShape(Duration window, int subWindows) {
        Objects.requireNonNull(window, "window");
        if (subWindows < 1) {
            throw new IllegalArgumentException("subWindows must be >= 1, got " + subWindows);
        }
        if (window.toMillis() < subWindows) {
            throw new IllegalArgumentException("window must be at least 1 ms per sub-window, got " + window
                    + " for " + subWindows + " sub-windows");
        }
    }

    /** The version measured. */
    public String version() {
        return version;
    }

    /** Counts one request. Lock-free, allocation-free, never reads the clock. */
    public void record(long latencyNanos, boolean ok) {
        // Histogram before error counter: a reader that sees the error also sees its request.
        latency.record(latencyNanos);
        if (!ok) {
            errors.incrementAndGet();
        }
    }

    /** Health over the window ending now. */
    public synchronized VersionHealth snapshot() {
        long now = clock.getAsLong();
        rotate(now);
        long errorsNow = errors.get();
        latency.copyInto(scratch);

        long oldestSlot = Math.floorDiv(now, subWindowMillis) - subWindows + 1;
        int base = newest;
        for (int k = held - 1; k >= 0; k--) {
            int b = Math.floorMod(newest - k, capacity);
            if (boundarySlot[b] >= oldestSlot) {
                base = b;
                break;
            }
        }
        long[] baseCounts = boundaryCounts[base];
        long baseErrors = boundaryErrors[base];
        long start = boundaryTime[base];
        if (markTime >= start) {
            baseCounts = markCounts;
            baseErrors = markErrors;
            start = markTime;
        }
        long[] window = new long[scratch.length];
        long requests = 0;
        for (int i = 0; i < window.length; i++) {
            window[i] = Math.max(0, scratch[i] - baseCounts[i]);
            requests += window[i];
        }
        // Counters are read one after another, not at one instant: keep errors within requests.
        long windowErrors = Math.min(requests, Math.max(0, errorsNow - baseErrors));
        lastWindowStart = start;
        return new VersionHealth(version, requests, windowErrors, HistogramSnapshot.ofCounts(window));
    }

    /**
     * Everything recorded since the last {@link #truncate()} (or since creation), cumulative, not
     * windowed: a rollout step's evidence. The node truncates when its weights change, which is
     * when a step begins.
     */
    public synchronized VersionHealth sinceTruncate() {
        long errorsNow = errors.get();
        latency.copyInto(scratch);
        boolean marked = markTime != Long.MIN_VALUE;
        long[] counts = new long[scratch.length];
        long requests = 0;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = Math.max(0, scratch[i] - (marked ? markCounts[i] : 0));
            requests += counts[i];
        }
        long stepErrors = Math.min(requests, Math.max(0, errorsNow - (marked ? markErrors : 0)));
        return new VersionHealth(version, requests, stepErrors, HistogramSnapshot.ofCounts(counts));
    }

    /** Where the window of the last {@link #snapshot()} started (epoch milliseconds). */
    public synchronized long lastWindowStart() {
        return lastWindowStart;
    }

    /**
     * Advances the ring to the current time: keeps a boundary if a new sub-window began. Reads do
     * this themselves; a node may also call it on a timer so boundaries stay punctual.
     */
    public synchronized void rotate() {
        rotate(clock.getAsLong());
    }

    /** Forgets everything recorded until now: the window restarts empty. */
    public synchronized void truncate() {
        markTime = clock.getAsLong();
        markErrors = errors.get();
        latency.copyInto(markCounts);
    }

    private void rotate(long now) {
        long slot = Math.floorDiv(now, subWindowMillis);
        if (slot <= boundarySlot[newest]) {
            return;
        }
        newest = (newest + 1) % capacity;
        held = Math.min(held + 1, capacity);
        boundarySlot[newest] = slot;
        boundaryTime[newest] = now;
        boundaryErrors[newest] = errors.get();
        latency.copyInto(boundaryCounts[newest]);
    }
}
