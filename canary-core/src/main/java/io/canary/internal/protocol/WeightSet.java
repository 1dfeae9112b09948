package io.canary.internal.protocol;

import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.util.Objects;

/**
 * An operator's absolute weight change ("set the weights to W"), as a {@link StateChange}. Being
 * absolute, a later weight set supersedes an earlier one: queued weight sets may be merged into one
 * transaction ({@link Coalescing}). Refused while a rollout runs, which owns the weights until it ends.
 *
 * @param weights the weights asked for
 */
public record WeightSet(Weights weights) implements StateChange {

    public WeightSet {
        Objects.requireNonNull(weights, "weights");
    }

    @Override
    public RoutingState apply(RoutingState current) {
        if (current.rollout().phase().isActive()) {
            throw new ProposalRejectedException("cannot set weights by hand while rollout " + current.rollout().id()
                    + " of " + current.rollout().canary() + " is " + current.rollout().phase().name().toLowerCase()
                    + " at " + current.rollout().currentPercent() + "%; abort it first");
        }
        String baseline = weights.contains(current.baseline()) ? current.baseline() : largestShare(weights);
        return current.next(weights, baseline, current.rollout(), 0, 0);
    }

    private static String largestShare(Weights weights) {
        String best = null;
        for (String version : weights.versions()) {
            if (best == null || weights.basisPoints(version) > weights.basisPoints(best)) {
                best = version;
            }
        }
        return best;
    }
}
