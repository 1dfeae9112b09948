package io.canary.launcher.http.api;

import io.canary.launcher.Durations;
import io.canary.rollout.RolloutPlan;
import java.time.Duration;
import java.util.List;

/**
 * {@code POST /rollout} body. Only {@code canary} is required; every other field takes
 * {@link RolloutPlan}'s default. {@code interval} is a duration such as {@code "30s"} or {@code "500ms"}.
 */
public record RolloutRequest(String canary, String baseline, List<Integer> steps, String interval, Long minRequests,
                             Double maxErrorRate, Double maxErrorRateDelta, Double maxP95Ms, Double maxP95Ratio,
                             Integer failureLimit) {

    /** A request with every default: what {@code canary node --rollout v2} starts. */
    public static RolloutRequest of(String canary) {
        return new RolloutRequest(canary, null, null, null, null, null, null, null, null, null);
    }

    /**
     * The plan this request asks for, with defaults filled in.
     *
     * @param currentBaseline the baseline when the request names none (the committed state's)
     * @throws IllegalArgumentException naming the bad field and value
     */
    public RolloutPlan toPlan(String currentBaseline) {
        if (canary == null || canary.isBlank()) {
            throw new IllegalArgumentException("field 'canary' is required, e.g. {\"canary\":\"v2\"}");
        }
        // Every default comes from RolloutPlan, so the HTTP API, the CLI and embedders agree.
        RolloutPlan.Builder plan = RolloutPlan.builder(baseline == null ? currentBaseline : baseline, canary);
        if (steps != null) {
            plan.steps(steps);
        }
        if (interval != null) {
            plan.stepInterval(parseInterval(interval));
        }
        if (minRequests != null) {
            plan.minRequests(minRequests);
        }
        if (failureLimit != null) {
            plan.failureLimit(failureLimit);
        }
        if (maxErrorRate != null) {
            plan.maxErrorRate(maxErrorRate);
        }
        if (maxErrorRateDelta != null) {
            plan.maxErrorRateDelta(maxErrorRateDelta);
        }
        if (maxP95Ms != null) {
            plan.maxP95Ms(maxP95Ms);
        }
        if (maxP95Ratio != null) {
            plan.maxP95Ratio(maxP95Ratio);
        }
        return plan.build();
    }

    private static Duration parseInterval(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field 'interval': " + e.getMessage());
        }
    }
}
