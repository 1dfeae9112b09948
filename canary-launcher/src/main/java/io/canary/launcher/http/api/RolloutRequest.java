package io.canary.launcher.http.api;

import io.canary.launcher.Durations;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Thresholds;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;

/**
 * {@code POST /rollout} body. Only {@code canary} is required; every other field takes the default
 * below. {@code interval} is a duration such as {@code "30s"} or {@code "500ms"}.
 */
public record RolloutRequest(String canary, String baseline, List<Integer> steps, String interval, Long minRequests,
                             Double maxErrorRate, Double maxErrorRateDelta, Double maxP95Ms, Double maxP95Ratio,
                             Integer failureLimit) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final long DEFAULT_MIN_REQUESTS = 100;
    public static final double DEFAULT_MAX_ERROR_RATE = 0.05;
    public static final double DEFAULT_MAX_ERROR_RATE_DELTA = 0.02;
    public static final double DEFAULT_MAX_P95_RATIO = 1.5;
    public static final int DEFAULT_FAILURE_LIMIT = 2;

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
        Duration stepInterval = interval == null ? DEFAULT_INTERVAL : parseInterval(interval);
        Thresholds thresholds = new Thresholds(
                OptionalDouble.of(maxErrorRate == null ? DEFAULT_MAX_ERROR_RATE : maxErrorRate),
                OptionalDouble.of(maxErrorRateDelta == null ? DEFAULT_MAX_ERROR_RATE_DELTA : maxErrorRateDelta),
                maxP95Ms == null ? OptionalDouble.empty() : OptionalDouble.of(maxP95Ms),
                OptionalDouble.of(maxP95Ratio == null ? DEFAULT_MAX_P95_RATIO : maxP95Ratio));
        return new RolloutPlan(baseline == null ? currentBaseline : baseline, canary,
                steps == null ? RolloutPlan.DEFAULT_STEPS : steps, stepInterval,
                minRequests == null ? DEFAULT_MIN_REQUESTS : minRequests, thresholds,
                failureLimit == null ? DEFAULT_FAILURE_LIMIT : failureLimit);
    }

    private static Duration parseInterval(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field 'interval': " + e.getMessage());
        }
    }
}
