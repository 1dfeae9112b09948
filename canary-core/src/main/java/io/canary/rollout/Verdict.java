package io.canary.rollout;

import io.canary.health.VersionStats;
import java.util.Objects;

/**
 * The outcome of one analysis of a rollout step, with the numbers it was based on. Immutable.
 *
 * @param decision what the analysis concluded
 * @param reason a sentence a person can read: which threshold failed and by how much, or why it held
 * @param stepIndex the step analysed
 * @param at epoch milliseconds at the coordinator
 * @param baseline the baseline's merged cluster health for the analysis
 * @param canary the canary's merged cluster health for the analysis
 */
public record Verdict(Decision decision, String reason, int stepIndex, long at, VersionStats baseline, VersionStats canary) {

    /** What an analysis concluded. */
    public enum Decision {
        /** Healthy with enough traffic: go to the next step. */
        PROMOTE,
        /** Inconclusive (e.g. too little traffic): stay, and analyse again. */
        HOLD,
        /** Unhealthy: counts toward the failure limit, then rolls back. */
        ROLLBACK
    }

    public Verdict {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(canary, "canary");
    }
}
