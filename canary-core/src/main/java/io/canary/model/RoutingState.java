package io.canary.model;

import java.util.Objects;

/**
 * A committed routing state: what every node routes on once the transaction that produced it
 * committed. Immutable.
 *
 * @param version starts at 1 and grows by exactly 1 per commit
 * @param status always {@link Status#COMMITTED} for a state a node routes on
 * @param weights the traffic split
 * @param baseline the stable version: routed first in bucket order, never counted as a promotion
 * @param txId the transaction that committed this state (0 for the initial state)
 * @param committedAt epoch milliseconds at the coordinator when it decided to commit (0 initially)
 * @param rollout where the rollout stands; {@link RolloutInfo#NONE} when there is none
 */
public record RoutingState(long version, Status status, Weights weights, String baseline, long txId,
                           long committedAt, RolloutInfo rollout) {

    /** The only status a routing state has today; kept as a field for the wire and the API. */
    public enum Status { COMMITTED }

    public RoutingState {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(rollout, "rollout");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        if (!weights.contains(baseline)) {
            throw new IllegalArgumentException("baseline " + baseline + " is not among the weights " + weights);
        }
    }

    /** The state of a fresh cluster: version 1, everything on the baseline, {@code canary} at 0. */
    public static RoutingState initial(String baseline, String canary) {
        return initial(Weights.split(baseline, canary, 0), baseline);
    }

    /** The state of a fresh cluster with the given weights. */
    public static RoutingState initial(Weights weights, String baseline) {
        return new RoutingState(1, Status.COMMITTED, weights, baseline, 0, 0, RolloutInfo.NONE);
    }

    /** The state proposed to follow this one: version + 1, new weights, baseline and rollout. */
    public RoutingState next(Weights newWeights, String newBaseline, RolloutInfo newRollout, long newTxId, long decidedAt) {
        return new RoutingState(version + 1, Status.COMMITTED, newWeights, newBaseline, newTxId, decidedAt, newRollout);
    }

    /** True if moving from {@code previous} to this raises any non-baseline share (see the safety asymmetry). */
    public boolean isPromotionFrom(RoutingState previous) {
        return weights.raisesShareOverBaseline(previous.weights(), previous.baseline());
    }
}
