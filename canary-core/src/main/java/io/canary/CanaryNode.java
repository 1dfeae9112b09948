package io.canary;

import io.canary.health.HealthSnapshot;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.transport.Transport;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One member of a Canary cluster, embeddable in any Java service. PUBLIC API CONTRACT: this is the
 * surface the launcher and users code against; implementations fill it in (issue 2 and 3).
 *
 * <p>Threading: {@link #route}, {@link #record} and the read accessors are safe from any thread and
 * never block; mutations return futures completed on the node's protocol thread (do not block in
 * their callbacks).
 */
public final class CanaryNode implements AutoCloseable {

    private CanaryNode() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Replays the state log, starts the transport and the timers. */
    public CanaryNode start() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public String id() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public boolean isCoordinator() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The version for a request with this sticky key; a null key routes at random. Lock-free. */
    public String route(String key) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The version for a request without a key: uniform at random by the weights. Lock-free. */
    public String route() {
        return route(null);
    }

    /** Records one request's outcome for a version. Lock-free, allocation-free. */
    public void record(String version, long latencyNanos, boolean ok) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The committed state this node routes on. */
    public RoutingState state() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** True once the node replayed its log and synced with the coordinator (or the sync timed out). */
    public boolean isReady() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Proposes new weights through 2PC, from any node (participants forward to the coordinator).
     * Completes with the committed state, or exceptionally with {@link ProposalFailedException}.
     */
    public CompletableFuture<RoutingState> proposeWeights(Weights weights) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Starts a rollout (forwarded to the coordinator); completes once its first step committed. */
    public CompletableFuture<RoutingState> startRollout(RolloutPlan plan) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Pauses, resumes, promotes or aborts the running rollout (forwarded to the coordinator). */
    public CompletableFuture<RoutingState> controlRollout(RolloutAction action) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The rollout as this node sees it. */
    public RolloutStatus rolloutStatus() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** This node's health per version over its window. */
    public HealthSnapshot health() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Health merged over every node that reported within the window. */
    public ClusterHealth clusterHealth() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Every member as this node sees it, itself included. */
    public List<PeerStatus> cluster() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Called on the protocol thread with each newly committed state; must not block. */
    public void addListener(Consumer<RoutingState> listener) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Stops timers and the transport, and closes the log. Idempotent. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Builds a node; {@link #build()} validates and names what is missing or wrong. */
    public static final class Builder {
        private Builder() {
        }

        /** This node's id, e.g. {@code node-b}. Required. */
        public Builder nodeId(String nodeId) { throw new UnsupportedOperationException(); }

        /** Every member's id, this node's included. Required. */
        public Builder members(List<String> memberIds) { throw new UnsupportedOperationException(); }

        /** The coordinator's id; defaults to the first member. */
        public Builder coordinatorId(String coordinatorId) { throw new UnsupportedOperationException(); }

        /** How messages reach the peers. Required. */
        public Builder transport(Transport transport) { throw new UnsupportedOperationException(); }

        /** Directory of the state log {@code <dataDir>/<nodeId>.log}; default {@code ./logs}. */
        public Builder dataDir(Path dataDir) { throw new UnsupportedOperationException(); }

        /** The state of a fresh cluster; default version 1, {@code {v1: 1.0, v2: 0.0}}, baseline v1. */
        public Builder initialState(RoutingState initial) { throw new UnsupportedOperationException(); }

        /** Versions this node can serve; a proposal naming others gets a NO. Default: any. */
        public Builder servableVersions(java.util.Set<String> versions) { throw new UnsupportedOperationException(); }

        /** Protocol timings; default {@link NodeConfig#ofDefaults()}. */
        public Builder config(NodeConfig config) { throw new UnsupportedOperationException(); }

        public CanaryNode build() {
            throw new UnsupportedOperationException("not implemented yet");
        }
    }
}
