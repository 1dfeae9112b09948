package io.canary.launcher.http;

import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Monotonic counters for {@code /metrics}: requests, errors and latencies served by this data
 * plane per version since start, and the transactions this node saw commit, abort and roll back.
 * Thread-safe; the per-request path is lock-free and, once a version was seen, allocation-free.
 */
public final class NodeCounters {
    private final Map<String, LongAdder[]> requests = new ConcurrentHashMap<>();
    private final Map<String, CumulativeLatency> latencies = new ConcurrentHashMap<>();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong aborts = new AtomicLong();
    private final AtomicLong rollbacks = new AtomicLong();
    private final AtomicLong lastAbortedTx = new AtomicLong(Long.MIN_VALUE);
    private final AtomicReference<RolloutInfo.Phase> lastPhase = new AtomicReference<>();
    private final java.util.List<java.util.function.BiConsumer<StringBuilder, String>> more =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Adds metric families rendered after the node's own on every scrape (e.g. webhook deliveries).
     * {@code source} gets the page and the {@code node="..."} label; it must be quick and not block.
     */
    public void addMetrics(java.util.function.BiConsumer<StringBuilder, String> source) {
        more.add(java.util.Objects.requireNonNull(source, "source"));
    }

    void renderMore(StringBuilder out, String nodeLabel) {
        more.forEach(s -> s.accept(out, nodeLabel));
    }

    /**
     * One request served by {@code version} in {@code nanos}; {@code ok} false for a failure. Any
     * thread; lock-free.
     */
    public void request(String version, long nanos, boolean ok) {
        LongAdder[] c = requests.get(version);
        if (c == null) {
            c = requests.computeIfAbsent(version, v -> new LongAdder[] {new LongAdder(), new LongAdder()});
        }
        c[0].increment();
        if (!ok) {
            c[1].increment();
        }
        CumulativeLatency l = latencies.get(version);
        if (l == null) {
            l = latencies.computeIfAbsent(version, v -> new CumulativeLatency());
        }
        l.record(nanos);
    }

    /** {@code version}'s latency histogram since start (empty if it served nothing). */
    CumulativeLatency.Snapshot latency(String version) {
        CumulativeLatency l = latencies.get(version);
        return l == null ? CumulativeLatency.Snapshot.EMPTY : l.snapshot();
    }

    /** A newly committed state; a rollout that just turned ROLLED_BACK or ABORTED counts as a rollback. */
    public void committed(RoutingState state) {
        commits.incrementAndGet();
        RolloutInfo.Phase phase = state.rollout().phase();
        RolloutInfo.Phase previous = lastPhase.getAndSet(phase);
        boolean rolledBack = phase == RolloutInfo.Phase.ROLLED_BACK || phase == RolloutInfo.Phase.ABORTED;
        if (rolledBack && previous != phase) {
            rollbacks.incrementAndGet();
        }
    }

    /** Transaction {@code txId} aborted; repeated reports of the same transaction count once. */
    public boolean aborted(long txId) {
        if (lastAbortedTx.getAndSet(txId) != txId) {
            aborts.incrementAndGet();
            return true;
        }
        return false;
    }

    long requests(String version) {
        LongAdder[] c = requests.get(version);
        return c == null ? 0 : c[0].sum();
    }

    long errors(String version) {
        LongAdder[] c = requests.get(version);
        return c == null ? 0 : c[1].sum();
    }

    Iterable<String> versions() {
        return new java.util.TreeSet<>(requests.keySet());
    }

    long commits() {
        return commits.get();
    }

    long aborts() {
        return aborts.get();
    }

    long rollbacks() {
        return rollbacks.get();
    }
}
