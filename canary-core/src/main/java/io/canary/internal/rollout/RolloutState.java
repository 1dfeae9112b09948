package io.canary.internal.rollout;

import io.canary.model.RolloutInfo.Phase;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the {@link RolloutEngine} stands: one immutable record per state, so every field a state
 * needs is there and none it does not (no sentinels). The committed {@code RolloutInfo} is the
 * truth the engine reconciles against; these states add only what the coordinator does about it
 * (the proposal in flight, the analysis cadence).
 */
sealed interface RolloutState {

    /** The step this state is about: analysing, paused or rolling back; empty when idle or starting. */
    default Optional<Step> currentStep() {
        if (this instanceof Analysing a) {
            return Optional.of(a.step());
        } else if (this instanceof Paused p) {
            return Optional.of(p.step());
        } else if (this instanceof RollingBack rb) {
            return Optional.of(rb.step());
        }
        return Optional.empty();
    }

    /** "analysing rollout r1 at 5%", for logs. */
    default String describe() {
        return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT)
                + currentStep().map(x -> " rollout " + x.rolloutId() + " at " + x.percent() + "%").orElse("");
    }

    /** The step being analysed: which rollout, its plan, which step, since when (coordinator clock). */
    record Step(String rolloutId, RolloutPlan plan, int index, long startedAt) {
        public Step {
            Objects.requireNonNull(rolloutId, "rolloutId");
            Objects.requireNonNull(plan, "plan");
        }

        int percent() {
            return plan.steps().get(index);
        }

        boolean isLast() {
            return index >= plan.steps().size() - 1;
        }
    }

    /** What a proposal in flight is for. */
    enum Kind { PROMOTE, PAUSE, RESUME }

    /** A proposal in flight (who waits for it, the engine keeps apart). */
    record Pending(long proposalId, Kind kind) {
        public Pending {
            Objects.requireNonNull(kind, "kind");
        }
    }

    /** No rollout is active (none ever ran, or the last one ended). */
    record Idle() implements RolloutState {
    }

    /** A start was proposed and has not committed yet. */
    record Starting(String rolloutId, RolloutPlan plan, long proposalId) implements RolloutState {
        public Starting {
            Objects.requireNonNull(rolloutId, "rolloutId");
            Objects.requireNonNull(plan, "plan");
        }
    }

    /**
     * The step is analysed at every health exchange (or every step interval with a judge that is
     * not anytime-valid).
     *
     * @param failures consecutive ROLLBACK verdicts of a judge that is not anytime-valid
     * @param nextAnalysisAt when a judge that is not anytime-valid is asked next
     * @param lastPublishedAt when a verdict of this step was last published (HOLDs are published at
     *     most once per step interval)
     * @param latest the most recent analysis, published or not
     * @param pending a promotion or pause in flight
     */
    record Analysing(Step step, int failures, long nextAnalysisAt, long lastPublishedAt, Optional<Verdict> latest,
                     Optional<Pending> pending) implements RolloutState {
        public Analysing {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(latest, "latest");
            Objects.requireNonNull(pending, "pending");
        }
    }

    /** Held by an operator: no analysis; aborted once paused longer than the maximum pause. */
    record Paused(Step step, long pausedAt, Optional<Pending> pending) implements RolloutState {
        public Paused {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(pending, "pending");
        }
    }

    /**
     * Going back to the baseline, ending in {@code outcome} (ROLLED_BACK or ABORTED): proposed until
     * it commits, retried every retry interval; {@code proposalId} 0 while waiting to retry.
     */
    record RollingBack(Step step, Phase outcome, String reason, long proposalId, long retryAt) implements RolloutState {
        public RollingBack {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
