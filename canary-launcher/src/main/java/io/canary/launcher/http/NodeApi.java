package io.canary.launcher.http;

import io.canary.CanaryNode;
import io.canary.ClusterHealth;
import io.canary.PeerStatus;
import io.canary.RolloutStatus;
import io.canary.WeightChange;
import io.canary.health.HealthSnapshot;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What the data plane needs from a node: the slice of {@link CanaryNode}'s API it serves over HTTP.
 * {@link #of(CanaryNode)} adapts a real node; tests may pass a fake to provoke outcomes a real
 * cluster rarely produces on demand (a timeout, an abort with a given reason).
 *
 * <p>Threading and failure rules are those of {@link CanaryNode}: reads and {@code route}/{@code
 * record} never block; mutations return futures that fail with
 * {@link io.canary.ProposalFailedException} (aborted, refused) or a timeout.
 */
public interface NodeApi {
    String id();

    boolean isCoordinator();

    String route(String key);

    void record(String version, long latencyNanos, boolean ok);

    RoutingState state();

    boolean isReady();

    CompletableFuture<RoutingState> proposeWeights(Weights weights);

    /**
     * Like {@link #proposeWeights}, telling whether a later queued weight set superseded this one
     * ({@link CanaryNode#setWeights}). Returns at once; the future completes on the node's protocol
     * thread, so a caller must hand heavy work elsewhere. The default (fakes) never supersedes.
     */
    default CompletableFuture<WeightChange> setWeights(Weights weights) {
        return proposeWeights(weights).thenApply(s -> new WeightChange(s, java.util.Optional.empty()));
    }

    CompletableFuture<RoutingState> startRollout(RolloutPlan plan);

    CompletableFuture<RoutingState> controlRollout(RolloutAction action);

    RolloutStatus rolloutStatus();

    HealthSnapshot health();

    ClusterHealth clusterHealth();

    List<PeerStatus> cluster();

    /** Who coordinates in which term, and whether this node is fail-safe (seam 1). Any thread. */
    default io.canary.CoordinationStatus coordination() {
        return isCoordinator() ? new io.canary.CoordinationStatus(java.util.Optional.of(id()), 0, false, "")
                : io.canary.CoordinationStatus.unknown();
    }

    /** The data plane of a real node. */
    static NodeApi of(CanaryNode node) {
        Objects.requireNonNull(node, "node");
        return new NodeApi() {
            @Override public String id() { return node.id(); }
            @Override public boolean isCoordinator() { return node.isCoordinator(); }
            @Override public String route(String key) { return node.route(key); }
            @Override public void record(String version, long latencyNanos, boolean ok) { node.record(version, latencyNanos, ok); }
            @Override public RoutingState state() { return node.state(); }
            @Override public boolean isReady() { return node.isReady(); }
            @Override public CompletableFuture<RoutingState> proposeWeights(Weights weights) { return node.proposeWeights(weights); }
            @Override public CompletableFuture<WeightChange> setWeights(Weights weights) { return node.setWeights(weights); }
            @Override public CompletableFuture<RoutingState> startRollout(RolloutPlan plan) { return node.startRollout(plan); }
            @Override public CompletableFuture<RoutingState> controlRollout(RolloutAction action) { return node.controlRollout(action); }
            @Override public RolloutStatus rolloutStatus() { return node.rolloutStatus(); }
            @Override public HealthSnapshot health() { return node.health(); }
            @Override public ClusterHealth clusterHealth() { return node.clusterHealth(); }
            @Override public List<PeerStatus> cluster() { return node.cluster(); }
            @Override public io.canary.CoordinationStatus coordination() { return node.coordination(); }
        };
    }
}
