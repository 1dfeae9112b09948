package io.canary.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A node's health measurement: one {@link VersionWindow} per version it serves.
 *
 * <p>Versions are known up front: the node tracks the versions of its committed routing state
 * (and any it declares servable) through {@link #trackVersions}, on its protocol thread, before
 * traffic can be routed to them. {@link #record} for a version that is not tracked is ignored and
 * only counted ({@link #ignoredRecords()}): adding a window there would allocate on the hot path,
 * and a version no routing state names has no health anyone judges.
 *
 * <p>Mirrored traffic (copies of real requests sent to another version, whose answers no user sees)
 * is recorded apart, through {@link #recordMirror}, in a second window per version: it never
 * counts as that version's user traffic, and the snapshot carries it in {@link HealthSnapshot#mirrors()}.
 *
 * <p>Threading: {@link #record} and {@link #recordMirror} from any thread, lock-free and allocation-free (a scan of a small
 * array published through a volatile field). Everything else may be called from any thread and
 * never blocks recording.
 */
public final class HealthRecorder {
    /** More versions than this at once is a configuration mistake, not a rollout. */
    public static final int MAX_VERSIONS = 32;

    private final String nodeId;
    private final Duration window;
    private final int subWindows;
    private final LongSupplier clock;
    private final AtomicLong ignored = new AtomicLong();
    private volatile VersionWindow[] windows = new VersionWindow[0];
    /** Same versions, same order as {@link #windows}; published after it. */
    private volatile VersionWindow[] mirrorWindows = new VersionWindow[0];
    private volatile String stepKey = "";
    private volatile long stepSince;

    /**
     * @param nodeId the node whose health this is
     * @param window the sliding window's length
     * @param subWindows sub-windows it slides by
     * @param clock epoch milliseconds
     */
    public HealthRecorder(String nodeId, Duration window, int subWindows, LongSupplier clock) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.clock = Objects.requireNonNull(clock, "clock");
        // Checked now, not when the first version is tracked on the protocol thread.
        VersionWindow.checkShape(window, subWindows);
        this.window = window;
        this.subWindows = subWindows;
    }

    /** Counts one request for {@code version}. Lock-free, allocation-free; ignored for an untracked version. */
    public void record(String version, long latencyNanos, boolean ok) {
        recordIn(windows, version, latencyNanos, ok);
    }

    /**
     * Counts one mirrored request sent to {@code version}: a copy of a real request whose answer
     * was discarded. Kept apart from {@link #record}: it shows in {@link HealthSnapshot#mirrors()}
     * only. Lock-free, allocation-free; ignored (and counted in {@link #ignoredRecords()}) for an
     * untracked version.
     */
    public void recordMirror(String version, long latencyNanos, boolean ok) {
        recordIn(mirrorWindows, version, latencyNanos, ok);
    }

    private void recordIn(VersionWindow[] ws, String version, long latencyNanos, boolean ok) {
        for (VersionWindow w : ws) {
            String v = w.version();
            if (v == version || v.equals(version)) {
                w.record(latencyNanos, ok);
                return;
            }
        }
        ignored.incrementAndGet();
    }

    /**
     * Tracks exactly these versions from now on: new ones get an empty window, ones already
     * tracked keep theirs, others are dropped.
     *
     * @throws IllegalArgumentException with more than {@link #MAX_VERSIONS} versions
     */
    public synchronized void trackVersions(Collection<String> versions) {
        if (versions.size() > MAX_VERSIONS) {
            throw new IllegalArgumentException("at most " + MAX_VERSIONS + " versions can be measured, got " + versions.size());
        }
        windows = retrack(windows, versions);
        mirrorWindows = retrack(mirrorWindows, versions);
    }

    private VersionWindow[] retrack(VersionWindow[] old, Collection<String> versions) {
        Map<String, VersionWindow> current = new HashMap<>();
        for (VersionWindow w : old) {
            current.put(w.version(), w);
        }
        List<VersionWindow> next = new ArrayList<>();
        for (String v : versions) {
            VersionWindow w = current.get(v);
            next.add(w != null ? w : new VersionWindow(v, window, subWindows, clock));
        }
        return next.toArray(new VersionWindow[0]);
    }

    /** The versions tracked. */
    public List<String> versions() {
        List<String> names = new ArrayList<>();
        for (VersionWindow w : windows) {
            names.add(w.version());
        }
        return names;
    }

    /**
     * A new rollout step named {@code key} begins now: the step counts restart from zero, and so
     * does every window (a step's traffic is only the traffic routed under its weights).
     */
    public synchronized void startStep(String key) {
        truncate();
        stepSince = clock.getAsLong();
        stepKey = java.util.Objects.requireNonNull(key, "key");
    }

    /** The key of the step being counted ("" before the first). */
    public String stepKey() {
        return stepKey;
    }

    /** Restarts every window empty: the node calls this when its weights change. */
    public void truncate() {
        for (VersionWindow w : windows) {
            w.truncate();
        }
        for (VersionWindow w : mirrorWindows) {
            w.truncate();
        }
    }

    /** Advances every window's ring to now (see {@link VersionWindow#rotate()}). */
    public void rotate() {
        for (VersionWindow w : windows) {
            w.rotate();
        }
        for (VersionWindow w : mirrorWindows) {
            w.rotate();
        }
    }

    /** Records dropped because their version was not tracked. */
    public long ignoredRecords() {
        return ignored.get();
    }

    /** This node's health per tracked version over the window ending now, mirrored traffic apart. */
    public HealthSnapshot snapshot() {
        long now = clock.getAsLong();
        Map<String, VersionHealth> versions = new HashMap<>();
        long start = now;
        for (VersionWindow w : windows) {
            versions.put(w.version(), w.snapshot());
            start = Math.min(start, w.lastWindowStart());
        }
        Map<String, VersionHealth> mirrors = new HashMap<>();
        for (VersionWindow w : mirrorWindows) {
            VersionHealth h = w.snapshot();
            if (h.requests() > 0) {
                mirrors.put(w.version(), h);
            }
        }
        return new HealthSnapshot(nodeId, now, Math.max(0, now - start), versions, mirrors, stepCounts());
    }

    /**
     * This node's traffic per tracked version since the current step began (cumulative), real
     * traffic and mirrored copies apart.
     */
    public synchronized StepCounts stepCounts() {
        Map<String, VersionHealth> step = new HashMap<>();
        for (VersionWindow w : windows) {
            step.put(w.version(), w.sinceTruncate());
        }
        Map<String, VersionHealth> mirrored = new HashMap<>();
        for (VersionWindow w : mirrorWindows) {
            VersionHealth h = w.sinceTruncate();
            if (h.requests() > 0) {
                mirrored.put(w.version(), h);
            }
        }
        return new StepCounts(stepKey, stepSince, step, mirrored);
    }
}
