package io.canary.model;

import java.util.List;
import java.util.Objects;

/**
 * Where a rollout stands, carried in every committed {@link RoutingState} so that every node, and
 * every query against any node, sees the same progress. Immutable.
 *
 * @param id the rollout's id (empty for {@link #NONE}); also seeds the sticky-routing hash
 * @param canary the version being rolled out (empty for {@link #NONE})
 * @param steps canary percentages, strictly increasing, the last one 100
 * @param stepIndex index into {@code steps} of the current step; -1 before the first
 * @param phase the lifecycle phase
 * @param reason why the rollout is in this phase (last verdict, operator action); may be empty
 */
public record RolloutInfo(String id, String canary, List<Integer> steps, int stepIndex, Phase phase, String reason) {

    /** Rollout lifecycle. */
    public enum Phase {
        /** No rollout has run. */
        NONE,
        /** Analysing the current step, promoting when healthy. */
        PROGRESSING,
        /** Held at the current step by an operator. */
        PAUSED,
        /** Reached 100%: the canary is now the baseline. */
        COMPLETED,
        /** Rolled back automatically after failed analyses. */
        ROLLED_BACK,
        /** Rolled back by an operator. */
        ABORTED;

        /** True while the rollout still has work to do. */
        public boolean isActive() {
            return this == PROGRESSING || this == PAUSED;
        }
    }

    /** No rollout. */
    public static final RolloutInfo NONE = new RolloutInfo("", "", List.of(), -1, Phase.NONE, "");

    public RolloutInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(canary, "canary");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(reason, "reason");
        steps = List.copyOf(steps);
        if (stepIndex < -1 || stepIndex >= Math.max(steps.size(), 1)) {
            throw new IllegalArgumentException("stepIndex " + stepIndex + " out of range for steps " + steps);
        }
    }

    /** The current canary percent, 0 before the first step. */
    public int currentPercent() {
        return stepIndex < 0 ? 0 : steps.get(stepIndex);
    }

    /** A copy in another phase at another step, with a reason. */
    public RolloutInfo with(int newStepIndex, Phase newPhase, String newReason) {
        return new RolloutInfo(id, canary, steps, newStepIndex, newPhase, newReason);
    }
}
