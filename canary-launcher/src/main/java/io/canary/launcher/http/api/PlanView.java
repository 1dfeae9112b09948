package io.canary.launcher.http.api;

import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Thresholds;
import java.util.List;
import java.util.OptionalDouble;

/**
 * A rollout plan as {@code GET /rollout} shows it; absent thresholds are {@code null}.
 *
 * @param intervalMs the analysis period of each step in milliseconds
 */
public record PlanView(String baseline, String canary, List<Integer> steps, long intervalMs, long minRequests,
                       Double maxErrorRate, Double maxErrorRateDelta, Double maxP95Ms, Double maxP95Ratio,
                       int failureLimit) {

    public static PlanView of(RolloutPlan p) {
        Thresholds t = p.thresholds();
        return new PlanView(p.baseline(), p.canary(), p.steps(), p.stepInterval().toMillis(), p.minRequests(),
                boxed(t.maxErrorRate()), boxed(t.maxErrorRateDelta()), boxed(t.maxP95Ms()), boxed(t.maxP95Ratio()),
                p.failureLimit());
    }

    private static Double boxed(OptionalDouble d) {
        return d.isPresent() ? d.getAsDouble() : null;
    }
}
