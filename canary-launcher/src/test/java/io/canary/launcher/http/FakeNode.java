package io.canary.launcher.http;

import io.canary.ClusterHealth;
import io.canary.CoordinationStatus;
import io.canary.PeerStatus;
import io.canary.ProposalFailedException;
import io.canary.ProposalTimeoutException;
import io.canary.RolloutStatus;
import io.canary.WeightChange;
import io.canary.health.HealthSnapshot;
import io.canary.health.HistogramLayout;
import io.canary.health.HistogramSnapshot;
import io.canary.health.VersionHealth;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node that commits (or refuses) whatever it is told to, for provoking every outcome of the
 * data plane on demand. Proposals commit at once unless {@link #refuseWith} or {@link #neverAnswer}.
 */
final class FakeNode implements NodeApi {
    final AtomicReference<RoutingState> state = new AtomicReference<>(RoutingState.initial("v1", "v2"));
    final AtomicReference<ProposalFailedException> refusal = new AtomicReference<>();
    volatile boolean neverAnswer;
    volatile boolean ready = true;
    volatile String routeTo = "v1";
    volatile CoordinationStatus coordination = new CoordinationStatus(Optional.of("node-a"), 1, false, "");
    final Map<String, long[]> recorded = new ConcurrentHashMap<>();
    final List<RolloutAction> actions = new ArrayList<>();
    private final AtomicLong tx = new AtomicLong();

    void refuseWith(String reason) {
        refusal.set(new ProposalFailedException(reason));
    }

    /** Proposals fail as if no outcome arrived in time (they may still commit). */
    void timeOutWith(String reason) {
        refusal.set(new ProposalTimeoutException(reason));
    }

    @Override public String id() { return "node-a"; }
    @Override public boolean isCoordinator() { return true; }
    @Override public CoordinationStatus coordination() { return coordination; }
    @Override public String route(String key) { return routeTo; }

    @Override
    public void record(String version, long latencyNanos, boolean ok) {
        recorded.compute(version, (v, c) -> {
            long[] n = c == null ? new long[2] : c;
            n[0]++;
            if (!ok) {
                n[1]++;
            }
            return n;
        });
    }

    @Override public RoutingState state() { return state.get(); }
    @Override public boolean isReady() { return ready; }

    @Override
    public CompletableFuture<RoutingState> proposeWeights(Weights weights) {
        return decide(s -> s.next(weights, s.baseline(), s.rollout(), tx.incrementAndGet(), 1_000));
    }

    /**
     * When true, weight sets coalesce in pairs as the coordinator's queue merges them: the first waits
     * until a second arrives, then both commit as one state with the second's weights, and the first is
     * told the second superseded it.
     */
    volatile boolean coalescePairs;
    private CompletableFuture<WeightChange> held;

    /** True while a first weight set waits for a second to coalesce with. */
    synchronized boolean holding() {
        return held != null;
    }

    @Override
    public synchronized CompletableFuture<WeightChange> setWeights(Weights weights) {
        if (!coalescePairs) {
            return NodeApi.super.setWeights(weights);
        }
        if (held == null) {
            held = new CompletableFuture<>();
            return held;
        }
        CompletableFuture<WeightChange> first = held;
        held = null;
        return proposeWeights(weights).thenApply(s -> {
            first.complete(new WeightChange(s, Optional.of("weights " + weights.asMap())));
            return new WeightChange(s, Optional.empty());
        });
    }

    /** The plan of the last rollout started. */
    volatile RolloutPlan lastPlan;

    @Override
    public CompletableFuture<RoutingState> startRollout(RolloutPlan plan) {
        lastPlan = plan;
        return decide(s -> s.next(Weights.split(plan.baseline(), plan.canary(), plan.steps().get(0)), plan.baseline(),
                new RolloutInfo("r1", plan.canary(), plan.steps(), 0, RolloutInfo.Phase.PROGRESSING, "started"),
                tx.incrementAndGet(), 2_000));
    }

    @Override
    public CompletableFuture<RoutingState> controlRollout(RolloutAction action) {
        synchronized (actions) {
            actions.add(action);
        }
        return decide(s -> s.next(s.weights(), s.baseline(), s.rollout(), tx.incrementAndGet(), 3_000));
    }

    private CompletableFuture<RoutingState> decide(java.util.function.UnaryOperator<RoutingState> next) {
        if (neverAnswer) {
            return new CompletableFuture<>();
        }
        ProposalFailedException failure = refusal.get();
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        return CompletableFuture.completedFuture(state.updateAndGet(next));
    }

    @Override
    public RolloutStatus rolloutStatus() {
        return new RolloutStatus(state.get().rollout(), Optional.empty(), List.of());
    }

    /** v1: two requests at 5 ms and one failed one at 20 ms. */
    static VersionHealth sampleV1() {
        long[] counts = new long[HistogramLayout.BUCKET_COUNT];
        counts[HistogramLayout.indexOf(5_000_000)] += 2;
        counts[HistogramLayout.indexOf(20_000_000)] += 1;
        return new VersionHealth("v1", 3, 1, HistogramSnapshot.ofCounts(counts));
    }

    @Override
    public HealthSnapshot health() {
        return new HealthSnapshot("node-a", 1_000, 30_000, Map.of("v1", sampleV1()));
    }

    @Override
    public ClusterHealth clusterHealth() {
        return new ClusterHealth(1_000, List.of("node-a", "node-b"), Map.of("v1", sampleV1().merge(sampleV1())));
    }

    @Override
    public List<PeerStatus> cluster() {
        return List.of(new PeerStatus("node-a", true, true, state.get().version(), false, 1_000),
                new PeerStatus("node-b", false, false, -1, true, 0));
    }
}
