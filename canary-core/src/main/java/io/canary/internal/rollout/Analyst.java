package io.canary.internal.rollout;

import io.canary.ClusterHealth;
import io.canary.internal.rollout.RolloutState.Step;
import io.canary.rollout.Judge;
import io.canary.rollout.JudgeKind;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.SequentialJudge;
import io.canary.rollout.StepEvidence;
import io.canary.rollout.ThresholdJudge;
import io.canary.rollout.Verdict;
import io.canary.rollout.Verdict.Decision;
import io.canary.health.VersionStats;
import java.util.Objects;

/**
 * Asks the plan's judge about a step's evidence, and words the verdict-like events (operator
 * actions, timeouts) the engine publishes. A judge that throws or answers nothing yields a HOLD
 * saying so. Pure.
 */
public final class Analyst {
    private static final Judge SEQUENTIAL = new SequentialJudge();
    private static final Judge THRESHOLD = new ThresholdJudge();

    private final Judge custom;

    /** @param custom a judge for every plan (a node built with its own), or null: the plan's {@link JudgeKind} */
    public Analyst(Judge custom) {
        this.custom = custom;
    }

    /** The judge of {@code plan}. */
    public Judge judgeOf(RolloutPlan plan) {
        if (custom != null) {
            return custom;
        }
        return plan.judge() == JudgeKind.SEQUENTIAL ? SEQUENTIAL : THRESHOLD;
    }

    /**
     * The judge's verdict on the step's evidence. At a shadow step the canary's evidence is the
     * mirrored copies it answered (no user is routed to it), next to the baseline's real traffic, and
     * the verdict says so.
     */
    Verdict analyse(Step step, ClusterHealth health, long now) {
        RolloutPlan plan = step.plan();
        boolean shadow = plan.isShadowStep(step.index());
        StepEvidence evidence = new StepEvidence(step.index(), step.startedAt(), now, health.version(plan.baseline()),
                shadow ? health.mirror(plan.canary()) : health.version(plan.canary()), health.nodes());
        try {
            Verdict v = judgeOf(plan).judge(plan, evidence);
            if (v != null) {
                return shadow ? new Verdict(v.decision(), shadowPrefix(plan) + v.reason(), v.stepIndex(), v.at(), v.baseline(),
                        v.canary()) : v;
            }
            return new Verdict(Decision.HOLD, "judge failed: it returned no verdict", step.index(), now,
                    evidence.baseline().stats(), evidence.canary().stats());
        } catch (RuntimeException e) {
            return new Verdict(Decision.HOLD, "judge failed: " + e, step.index(), now, evidence.baseline().stats(),
                    evidence.canary().stats());
        }
    }

    /** How a shadow step's verdicts begin. */
    static String shadowPrefix(RolloutPlan plan) {
        return "shadow step (" + plan.shadowMirrorPercent() + "% of " + plan.baseline()
                + "'s requests mirrored to " + plan.canary() + ", no user on it): ";
    }

    /** A verdict-like event of the step (operator action, timeout), without numbers. */
    Verdict event(Step step, Decision decision, String reason, long now) {
        return event(step, decision, reason, now, empty(step.plan().baseline()), empty(step.plan().canary()));
    }

    /** A verdict-like event quoting the numbers of {@code basis}. */
    static Verdict event(Step step, Decision decision, String reason, long now, VersionStats baseline, VersionStats canary) {
        Objects.requireNonNull(reason, "reason");
        return new Verdict(decision, reason, step.index(), now, baseline, canary);
    }

    private static VersionStats empty(String version) {
        return new VersionStats(version, 0, 0, 0, 0, 0, 0);
    }
}
