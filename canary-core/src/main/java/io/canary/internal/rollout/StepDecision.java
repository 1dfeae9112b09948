package io.canary.internal.rollout;

import io.canary.ClusterHealth;
import io.canary.internal.protocol.Effect;
import io.canary.internal.rollout.RolloutState.Analysing;
import io.canary.internal.rollout.RolloutState.Step;
import io.canary.model.RolloutInfo.Phase;
import io.canary.rollout.Judge;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.StepTimeout;
import io.canary.rollout.Verdict;
import io.canary.rollout.Verdict.Decision;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One analysis of a step, and what the engine does about it:
 * <ul>
 *   <li>ROLLBACK from an anytime-valid judge: roll back now. From another judge: count it, and
 *       roll back at the plan's {@code failureLimit} consecutive ones.</li>
 *   <li>PROMOTE once the step lasted its minimum ({@code stepInterval}) and no failed promotion's
 *       back-off holds it ({@link PromotionBackoff}): promote. Earlier: hold until then (the evidence
 *       may still turn).</li>
 *   <li>HOLD, or no decision, until the maximum step duration: then the plan's
 *       {@code onStepTimeout} (roll back, or pause for an operator).</li>
 * </ul>
 * A judge that is not anytime-valid is asked once per step interval only. Published: every
 * ROLLBACK and PROMOTE, and a HOLD at most once per step interval (the analyses in between are
 * kept as the latest, for status).
 */
final class StepDecision {
    private final RolloutEngine engine;
    private final List<Effect> effects;
    private final Analysing a;
    private final ClusterHealth health;
    private final long now;

    StepDecision(RolloutEngine engine, List<Effect> effects, Analysing a, ClusterHealth health, long now) {
        this.engine = engine;
        this.effects = effects;
        this.a = a;
        this.health = health;
        this.now = now;
    }

    RolloutState decide() {
        Step step = a.step();
        RolloutPlan plan = step.plan();
        Judge judge = engine.analyst().judgeOf(plan);
        boolean continuous = judge.anytimeValid();
        long elapsed = now - step.startedAt();
        long interval = plan.stepInterval().toMillis();
        boolean timedOut = elapsed >= plan.maxStepDuration().toMillis();
        if (!continuous && now < a.nextAnalysisAt() && !timedOut) {
            return a;
        }
        Verdict v = engine.analyst().analyse(step, health, now);
        long next = now + interval;
        switch (v.decision()) {
            case ROLLBACK -> {
                if (continuous) {
                    engine.publish(effects, step, v);
                    return engine.rollBack(effects, step, Phase.ROLLED_BACK, v.reason(), now);
                }
                int failures = a.failures() + 1;
                boolean limit = failures >= plan.failureLimit();
                String count = " (failed analysis " + failures + " of " + plan.failureLimit() + (limit ? ": rolling back)" : ")");
                engine.publish(effects, step, with(v, v.decision(), v.reason() + count));
                if (limit) {
                    return engine.rollBack(effects, step, Phase.ROLLED_BACK, v.reason(), now);
                }
                return new Analysing(step, failures, next, now, Optional.of(v), Optional.empty());
            }
            case PROMOTE -> {
                if (elapsed >= interval && engine.promotionAllowed(step, now)) {
                    engine.publish(effects, step, v);
                    return engine.promote(effects, new Analysing(step, 0, next, now, Optional.of(v), Optional.empty()),
                            "analysis passed at " + step.percent() + "%", 0, now);
                }
                // Within the margins before the minimum step duration, or while a failed promotion's back-off lasts: wait, analysing on.
                return new Analysing(step, 0, next, a.lastPublishedAt(), Optional.of(v), Optional.empty());
            }
            default -> {
                if (timedOut) {
                    return timeout(step, plan, v);
                }
                boolean publishNow = now - a.lastPublishedAt() >= interval;
                if (publishNow) {
                    engine.publish(effects, step, v);
                }
                return new Analysing(step, a.failures(), next, publishNow ? now : a.lastPublishedAt(), Optional.of(v),
                        Optional.empty());
            }
        }
    }

    private RolloutState timeout(Step step, RolloutPlan plan, Verdict v) {
        String why = "step " + step.percent() + "% still undecided after the maximum step duration of "
                + format(plan.maxStepDuration()) + " (" + v.reason() + ")";
        if (plan.onStepTimeout() == StepTimeout.PAUSE) {
            String reason = why + ": pausing for an operator, as the plan says";
            engine.publish(effects, step, with(v, Decision.HOLD, reason));
            return engine.pauseForOperator(effects, a, "step timed out", now);
        }
        String reason = why + ": rolling back, as the plan says";
        engine.publish(effects, step, with(v, Decision.ROLLBACK, reason));
        return engine.rollBack(effects, step, Phase.ROLLED_BACK, "step " + step.percent() + "% undecided after "
                + format(plan.maxStepDuration()), now);
    }

    private static Verdict with(Verdict v, Decision decision, String reason) {
        return new Verdict(decision, reason, v.stepIndex(), v.at(), v.baseline(), v.canary());
    }

    private static String format(Duration d) {
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
