package io.canary.rollout;

import java.util.Objects;

/**
 * What one check of the sequential judge concluded about the canary, in words. Immutable.
 *
 * @param outcome worse beyond the margin, shown within it, or not yet either
 * @param text what it saw: estimate, interval, baseline, margin and evidence
 */
record Finding(Outcome outcome, String text) {

    enum Outcome {
        /** The evidence shows the canary worse than the baseline beyond the margin: roll back. */
        WORSE,
        /** The evidence shows the canary within the margin: this check lets it pass. */
        WITHIN,
        /** Neither yet. */
        UNDECIDED
    }

    Finding {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(text, "text");
    }
}
