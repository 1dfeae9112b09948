package io.canary.model;

import io.canary.rollout.RolloutPlan;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a rollout stands, carried in every committed {@link RoutingState} so that every node, and
 * every query against any node, sees the same progress. Immutable.
 *
 * <p>It carries the rollout's whole {@link RolloutPlan} and when the current step began, so any
 * node that becomes coordinator can take the rollout over from the committed state alone (no log
 * record, no checkpoint and no message has to survive for that).
 *
 * @param id the rollout's id (empty for {@link #NONE}); also seeds the sticky-routing hash
 * @param canary the version being rolled out (empty for {@link #NONE})
 * @param steps canary percentages, strictly increasing, the last one 100
 * @param stepIndex index into {@code steps} of the current step; -1 before the first
 * @param phase the lifecycle phase
 * @param reason why the rollout is in this phase (last verdict, operator action); may be empty
 * @param plan the rollout's plan: present in every state a rollout committed (empty for {@link #NONE}
 *     and in states written before plans were replicated)
 * @param stepStartedAt epoch milliseconds at the coordinator when the current step was proposed (0 if unknown)
 */
public record RolloutInfo(String id, String canary, List<Integer> steps, int stepIndex, Phase phase, String reason,
                          Optional<RolloutPlan> plan, long stepStartedAt) {

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
    public static final RolloutInfo NONE = new RolloutInfo("", "", List.of(), -1, Phase.NONE, "", Optional.empty(), 0);

    public RolloutInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(canary, "canary");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(plan, "plan");
        steps = List.copyOf(steps);
        if (stepIndex < -1 || stepIndex >= Math.max(steps.size(), 1)) {
            throw new IllegalArgumentException("stepIndex " + stepIndex + " out of range for steps " + steps);
        }
        if (plan.isPresent() && (!plan.get().canary().equals(canary) || !plan.get().steps().equals(steps))) {
            throw new IllegalArgumentException("rollout of " + canary + " over " + steps + " does not match its plan of "
                    + plan.get().canary() + " over " + plan.get().steps());
        }
    }

    /** Progress without a plan (a state written before plans were replicated, or a test). */
    public RolloutInfo(String id, String canary, List<Integer> steps, int stepIndex, Phase phase, String reason) {
        this(id, canary, steps, stepIndex, phase, reason, Optional.empty(), 0);
    }

    /** Step 0 of a new rollout of {@code plan}, proposed at {@code at}. */
    public static RolloutInfo started(String id, RolloutPlan plan, Phase phase, String reason, long at) {
        return new RolloutInfo(id, plan.canary(), plan.steps(), 0, phase, reason, Optional.of(plan), at);
    }

    /**
     * True while the rollout stands at its plan's shadow step: no user routed to the canary, a share
     * of the baseline's requests mirrored to it.
     */
    public boolean isShadowStep() {
        return plan.isPresent() && plan.get().isShadowStep(stepIndex) && phase.isActive();
    }

    /**
     * The share of the baseline's requests, in basis points, that proxies should mirror to the
     * canary now: the plan's shadow share during its shadow step, else 0.
     */
    public int shadowMirrorBasisPoints() {
        return isShadowStep() ? plan.get().shadowMirrorPercent() * 100 : 0;
    }

    /** The current canary percent, 0 before the first step. */
    public int currentPercent() {
        return stepIndex < 0 ? 0 : steps.get(stepIndex);
    }

    /** A copy in another phase at another step, with a reason; the step's start time is kept. */
    public RolloutInfo with(int newStepIndex, Phase newPhase, String newReason) {
        return new RolloutInfo(id, canary, steps, newStepIndex, newPhase, newReason, plan, stepStartedAt);
    }

    /** A copy at another step, which began at {@code at}. */
    public RolloutInfo atStep(int newStepIndex, Phase newPhase, String newReason, long at) {
        return new RolloutInfo(id, canary, steps, newStepIndex, newPhase, newReason, plan, at);
    }
}
