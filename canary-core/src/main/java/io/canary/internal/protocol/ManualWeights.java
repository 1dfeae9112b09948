package io.canary.internal.protocol;

import io.canary.model.Weights;

/**
 * An operator's weight change, as a {@link StateChange}: a {@link WeightSet} (absolute, so queued
 * ones coalesce), refused while a rollout runs, which owns the weights until it ends.
 */
final class ManualWeights {

    private ManualWeights() {
    }

    static StateChange of(Weights weights) {
        return new WeightSet(weights);
    }
}
