package io.canary.routing;

import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The routing decision for one committed {@link RoutingState}, precomputed so that routing is a hash
 * and a short array walk. Versions are ordered baseline first, then the others by name, and the
 * rollout's canary (if it has one among the weights) last, so raising the canary's share only moves
 * buckets from other versions into the canary. Each version owns the buckets below its cumulative
 * basis points. The hash seed comes from the rollout id (0 without a rollout), so a key keeps its
 * bucket while a rollout moves through its steps. With more than two versions, a change of the
 * baseline's share also shifts the buckets of the versions between baseline and canary. Immutable;
 * safe to share between threads.
 */
public final class RoutingTable {
    private final RoutingState state;
    private final String[] versions;
    private final int[] cumulative;
    private final int seed;
    private final boolean failSafe;
    /** This table's fail-safe twin (itself if fail-safe): built with it, so the router switches to it without allocating. */
    private final RoutingTable failSafeTwin;

    private RoutingTable(RoutingState state, String[] versions, int[] cumulative, int seed, boolean failSafe) {
        this.state = state;
        this.versions = versions;
        this.cumulative = cumulative;
        this.seed = seed;
        this.failSafe = failSafe;
        this.failSafeTwin = failSafe ? this : failSafe(state);
    }

    /**
     * The fail-safe table of {@code state}: every bucket goes to its baseline, whatever the weights.
     * A node without a valid lease routes on it (the committed state itself is unchanged).
     */
    public static RoutingTable failSafe(RoutingState state) {
        Objects.requireNonNull(state, "state");
        return new RoutingTable(state, new String[] {state.baseline()},
                new int[] {Weights.TOTAL_BASIS_POINTS}, seedOf(state.rollout().id()), true);
    }

    /** The fail-safe table of this table's state (this one if it is fail-safe). Allocation-free. */
    RoutingTable failSafeTwin() {
        return failSafeTwin;
    }

    /** True for a {@link #failSafe} table. */
    public boolean isFailSafe() {
        return failSafe;
    }

    /** The table for {@code state}. */
    public static RoutingTable of(RoutingState state) {
        Objects.requireNonNull(state, "state");
        Weights weights = state.weights();
        String baseline = state.baseline();
        String canary = state.rollout().canary();
        List<String> order = new ArrayList<>();
        order.add(baseline);
        for (String v : weights.versions()) { // already sorted by name
            if (!v.equals(baseline) && !v.equals(canary)) {
                order.add(v);
            }
        }
        if (!canary.isEmpty() && !canary.equals(baseline) && weights.contains(canary)) {
            order.add(canary);
        }
        String[] versions = order.toArray(new String[0]);
        int[] cumulative = new int[versions.length];
        int sum = 0;
        for (int i = 0; i < versions.length; i++) {
            sum += weights.basisPoints(versions[i]);
            cumulative[i] = sum;
        }
        return new RoutingTable(state, versions, cumulative, seedOf(state.rollout().id()), false);
    }

    /** The hash seed of a rollout id: 0 for none, else the murmur3 of the id. */
    static int seedOf(String rolloutId) {
        return rolloutId.isEmpty() ? 0 : KeyHash.murmur3(rolloutId, 0);
    }

    /** The version that owns {@code bucket} in [0, 10000). Allocation-free. */
    public String versionForBucket(int bucket) {
        String[] v = versions;
        int[] c = cumulative;
        for (int i = 0; i < c.length; i++) {
            if (bucket < c[i]) {
                return v[i];
            }
        }
        return v[v.length - 1]; // unreachable: the last cumulative is 10000
    }

    /** The bucket of {@code key} under this table's seed. */
    public int bucket(String key) {
        return KeyHash.bucket(key, seed);
    }

    /** The version {@code key} is routed to. Allocation-free. */
    public String route(String key) {
        return versionForBucket(KeyHash.bucket(key, seed));
    }

    /** The state this table was built from. */
    public RoutingState state() {
        return state;
    }

    /** Versions in bucket order: baseline first, canary last. */
    public List<String> versionOrder() {
        return List.of(versions);
    }

    /** The hash seed: 0 without a rollout. */
    public int seed() {
        return seed;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RoutingTable[version ").append(state.version()).append(failSafe ? " fail-safe" : "").append(", seed ").append(seed);
        int from = 0;
        for (int i = 0; i < versions.length; i++) {
            sb.append(", ").append(versions[i]).append(" [").append(from).append(',').append(cumulative[i]).append(')');
            from = cumulative[i];
        }
        return sb.append(']').toString();
    }
}
