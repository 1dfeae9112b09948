package io.canary.launcher.http.api;

import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Thresholds;
import java.util.List;
import java.util.OptionalDouble;

/**
 * A rollout plan as {@code GET /rollout} shows it; absent thresholds are {@code null}.
 *
 * @param intervalMs the minimum duration of each step (the threshold judge's analysis period) in milliseconds
 * @param judge "sequential" or "threshold"
 * @param maxStepMs the longest a step may hold, in milliseconds
 * @param onStepTimeout "roll_back" or "pause"
 * @param alpha the sequential judge's false-rollback probability over the whole rollout
 * @param rollbackErrorRatio error odds ratio beyond which the sequential judge rolls back
 * @param rollbackErrorFloor least observed excess error rate for such a rollback, a share
 * @param shadow share of the baseline's requests mirrored to the canary during the shadow step
 *     ({@code steps} then begins with 0); null without one
 */
public record PlanView(String baseline, String canary, List<Integer> steps, long intervalMs, long minRequests,
                       Double maxErrorRate, Double maxErrorRateDelta, Double maxP95Ms, Double maxP95Ratio,
                       int failureLimit, String judge, long maxStepMs, String onStepTimeout, double alpha,
                       double errorMargin, double errorMarginRelative, double latencyRatio, List<Double> quantiles,
                       double rollbackErrorRatio, double rollbackErrorFloor, Double shadow) {

    public static PlanView of(RolloutPlan p) {
        Thresholds t = p.thresholds();
        return new PlanView(p.baseline(), p.canary(), p.steps(), p.stepInterval().toMillis(), p.minRequests(),
                boxed(t.maxErrorRate()), boxed(t.maxErrorRateDelta()), boxed(t.maxP95Ms()), boxed(t.maxP95Ratio()),
                p.failureLimit(), p.judge().name().toLowerCase(java.util.Locale.ROOT), p.maxStepDuration().toMillis(),
                p.onStepTimeout().name().toLowerCase(java.util.Locale.ROOT), p.analysis().alpha(),
                p.analysis().errorMarginAbsolute(), p.analysis().errorMarginRelative(), p.analysis().latencyRatio(),
                p.analysis().quantiles(), p.analysis().rollbackErrorRatio(), p.analysis().rollbackErrorFloor(),
                p.shadowMirrorPercent() > 0 ? p.shadowMirrorPercent() / 100.0 : null);
    }

    private static Double boxed(OptionalDouble d) {
        return d.isPresent() ? d.getAsDouble() : null;
    }
}
