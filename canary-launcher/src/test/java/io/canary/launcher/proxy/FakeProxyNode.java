package io.canary.launcher.proxy;

import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * A node for the proxy's tests: routes every request to {@link #routeTo} (or by key through
 * {@link #byKey}), and counts what the proxy records, real and mirrored, per version.
 */
final class FakeProxyNode implements ProxyNode {
    volatile String routeTo = "v1";
    volatile Function<String, String> byKey;
    volatile RoutingState state = new RoutingState(2, RoutingState.Status.COMMITTED, Weights.split("v1", "v2", 10), "v1", 1, 1,
            RolloutInfo.NONE);
    volatile boolean failSafe;
    /** Version to {requests, errors, total nanos}. */
    final Map<String, AtomicLongArray> recorded = new ConcurrentHashMap<>();
    final Map<String, AtomicLongArray> mirrored = new ConcurrentHashMap<>();
    final java.util.Queue<String> routedKeys = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @Override
    public String id() {
        return "node-a";
    }

    @Override
    public String route(String key) {
        routedKeys.add(String.valueOf(key));
        Function<String, String> f = byKey;
        return key != null && f != null ? f.apply(key) : routeTo;
    }

    @Override
    public void record(String version, long latencyNanos, boolean ok) {
        add(recorded, version, latencyNanos, ok);
    }

    @Override
    public void recordMirror(String version, long latencyNanos, boolean ok) {
        add(mirrored, version, latencyNanos, ok);
    }

    private static void add(Map<String, AtomicLongArray> m, String version, long nanos, boolean ok) {
        AtomicLongArray a = m.computeIfAbsent(version, v -> new AtomicLongArray(3));
        a.incrementAndGet(0);
        if (!ok) {
            a.incrementAndGet(1);
        }
        a.addAndGet(2, nanos);
    }

    /** {requests, errors} recorded for a version (real traffic). */
    List<Long> recorded(String version) {
        return counts(recorded, version);
    }

    List<Long> mirrored(String version) {
        return counts(mirrored, version);
    }

    private static List<Long> counts(Map<String, AtomicLongArray> m, String version) {
        AtomicLongArray a = m.get(version);
        return a == null ? List.of(0L, 0L) : List.of(a.get(0), a.get(1));
    }

    @Override
    public RoutingState state() {
        return state;
    }

    @Override
    public boolean failSafe() {
        return failSafe;
    }
}
