package io.canary.internal.rollout;

import io.canary.ClusterHealth;
import io.canary.model.RolloutInfo;
import io.canary.rollout.Judge;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import io.canary.rollout.Verdict.Decision;
import java.util.Objects;

/**
 * Turns the current step's merged cluster health into verdicts: the judge's for an analysis, and
 * verdict-like events (operator actions, failed proposals) that quote the same numbers.
 */
final class StepAnalyst {
    private final Judge judge;
    private final RolloutController.StepHealth health;

    StepAnalyst(Judge judge, RolloutController.StepHealth health) {
        this.judge = Objects.requireNonNull(judge, "judge");
        this.health = Objects.requireNonNull(health, "health");
    }

    /** The judge's verdict on the step; a judge that throws or answers nothing yields a HOLD saying so. */
    Verdict analyse(RolloutPlan plan, RolloutInfo info, long stepStartedAt, long now) {
        ClusterHealth h = health.since(stepStartedAt);
        try {
            Verdict v = judge.judge(plan, info.stepIndex(), h.version(plan.baseline()), h.version(plan.canary()), now);
            if (v != null) {
                return v;
            }
            return event(plan, info, stepStartedAt, Decision.HOLD, "judge failed: it returned no verdict", now);
        } catch (RuntimeException e) {
            return event(plan, info, stepStartedAt, Decision.HOLD, "judge failed: " + e, now);
        }
    }

    /** A verdict-like event of the step, with the step's current numbers. */
    Verdict event(RolloutPlan plan, RolloutInfo info, long stepStartedAt, Decision decision, String reason, long now) {
        ClusterHealth h = health.since(stepStartedAt);
        return new Verdict(decision, reason, Math.max(0, info.stepIndex()), now, h.version(plan.baseline()).stats(),
                h.version(plan.canary()).stats());
    }
}
