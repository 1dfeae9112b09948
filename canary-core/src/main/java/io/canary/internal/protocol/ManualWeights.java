package io.canary.internal.protocol;

import io.canary.model.Weights;

/** An operator's weight change, as a {@link StateChange}: refused while a rollout runs, which owns the weights until it ends. */
final class ManualWeights {

    private ManualWeights() {
    }

    static StateChange of(Weights weights) {
        return current -> {
            if (current.rollout().phase().isActive()) {
                throw new ProposalRejectedException("cannot set weights by hand while rollout " + current.rollout().id()
                        + " of " + current.rollout().canary() + " is " + current.rollout().phase().name().toLowerCase()
                        + " at " + current.rollout().currentPercent() + "%; abort it first");
            }
            String baseline = weights.contains(current.baseline()) ? current.baseline() : largestShare(weights);
            return current.next(weights, baseline, current.rollout(), 0, 0);
        };
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
