package io.canary.internal.rollout;

import io.canary.model.RolloutInfo;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutPlan;

/**
 * The routing states a rollout moves through, as pure functions of the committed state. Each one
 * checks that the rollout is still where the controller thought when it queued the change, so a
 * change that waited behind another never applies to a state it was not meant for.
 */
final class RolloutTransitions {
    private RolloutTransitions() {
    }

    /** Step 0 of a new rollout (COMPLETED at once if the plan has a single step). */
    static RoutingState start(RoutingState current, String rolloutId, RolloutPlan plan, long at) {
        RolloutInfo running = current.rollout();
        if (running.phase().isActive()) {
            throw new IllegalStateException("rollout " + running.id() + " is already running (" + describe(running) + ")");
        }
        if (!current.baseline().equals(plan.baseline())) {
            throw new IllegalStateException("the plan's baseline " + plan.baseline() + " is not the serving baseline "
                    + current.baseline());
        }
        RolloutInfo info = RolloutInfo.started(rolloutId, plan, Phase.PROGRESSING, "started", at);
        String how = plan.shadowMirrorPercent() > 0
                ? "started with a shadow step: 0% of users, " + plan.shadowMirrorPercent() + "% of " + plan.baseline()
                        + "'s requests mirrored to " + plan.canary()
                : "started at " + plan.steps().get(0) + "%";
        return toStep(current, plan, info, 0, how, at);
    }

    /** The step after {@code fromStep}; the last step completes the rollout, making the canary the baseline. */
    static RoutingState promote(RoutingState current, String rolloutId, RolloutPlan plan, int fromStep, String reason,
                                long at) {
        RolloutInfo info = expectActive(current, rolloutId);
        if (info.stepIndex() != fromStep) {
            throw new IllegalStateException("rollout " + rolloutId + " moved on: it is " + describe(info)
                    + ", not at " + plan.steps().get(fromStep) + "%");
        }
        return toStep(current, plan, info, fromStep + 1, reason, at);
    }

    /** Same step and weights, another active phase (pause or resume). */
    static RoutingState phase(RoutingState current, String rolloutId, Phase phase, String reason) {
        RolloutInfo info = expectActive(current, rolloutId);
        return current.next(current.weights(), current.baseline(), info.with(info.stepIndex(), phase, reason),
                current.txId(), current.committedAt());
    }

    /** Everything back on the baseline, the rollout ended in {@code phase} (ROLLED_BACK or ABORTED). */
    static RoutingState rollBack(RoutingState current, String rolloutId, RolloutPlan plan, Phase phase, String reason) {
        RolloutInfo info = expectActive(current, rolloutId);
        Weights weights = Weights.split(plan.baseline(), plan.canary(), 0);
        return current.next(weights, plan.baseline(), info.with(info.stepIndex(), phase, reason),
                current.txId(), current.committedAt());
    }

    static String describe(RolloutInfo info) {
        String phase = info.phase().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        if (info.stepIndex() < 0) {
            return phase;
        }
        if (info.isShadowStep()) {
            return phase + " at the shadow step (step 1 of " + info.steps().size() + ", 0% of users, "
                    + info.plan().get().shadowMirrorPercent() + "% of requests mirrored)";
        }
        return phase + " at step " + (info.stepIndex() + 1) + " of " + info.steps().size() + ", " + info.currentPercent() + "%";
    }

    private static RoutingState toStep(RoutingState current, RolloutPlan plan, RolloutInfo info, int step, String reason,
                                       long at) {
        int percent = plan.steps().get(step);
        if (step == plan.steps().size() - 1) {
            RolloutInfo done = info.atStep(step, Phase.COMPLETED, reason + "; completed: " + plan.canary() + " is the baseline now", at);
            return current.next(Weights.split(plan.baseline(), plan.canary(), 100), plan.canary(), done,
                    current.txId(), current.committedAt());
        }
        Phase phase = info.phase() == Phase.PAUSED ? Phase.PAUSED : Phase.PROGRESSING;
        return current.next(Weights.split(plan.baseline(), plan.canary(), percent), plan.baseline(),
                info.atStep(step, phase, reason, at), current.txId(), current.committedAt());
    }

    private static RolloutInfo expectActive(RoutingState current, String rolloutId) {
        RolloutInfo info = current.rollout();
        if (!info.id().equals(rolloutId)) {
            throw new IllegalStateException("rollout " + rolloutId + " is no longer the current one"
                    + (info.id().isEmpty() ? "" : " (" + info.id() + " is)"));
        }
        if (!info.phase().isActive()) {
            throw new IllegalStateException("rollout " + rolloutId + " has ended: " + describe(info));
        }
        return info;
    }
}
