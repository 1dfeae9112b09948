package io.canary.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to roll a canary out: the steps, how long each is analysed, how much traffic an analysis
 * needs, what counts as healthy, and how many failed analyses in a row trigger a rollback.
 * Immutable.
 *
 * @param baseline the stable version
 * @param canary the version rolled out
 * @param steps canary percentages, strictly increasing in (0,100], ending at 100
 * @param stepInterval the analysis period of each step
 * @param minRequests requests each version needs in an analysis before it can pass
 * @param thresholds what a healthy canary satisfies
 * @param failureLimit consecutive failed analyses that trigger a rollback (&gt;= 1)
 */
public record RolloutPlan(String baseline, String canary, List<Integer> steps, Duration stepInterval,
                          long minRequests, Thresholds thresholds, int failureLimit) {

    /** The default steps: 5, 25, 50, 100 percent. */
    public static final List<Integer> DEFAULT_STEPS = List.of(5, 25, 50, 100);

    public RolloutPlan {
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(canary, "canary");
        Objects.requireNonNull(stepInterval, "stepInterval");
        Objects.requireNonNull(thresholds, "thresholds");
        steps = List.copyOf(steps);
        if (baseline.equals(canary)) {
            throw new IllegalArgumentException("canary must differ from the baseline, both are " + canary);
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("steps must not be empty");
        }
        int previous = 0;
        for (int s : steps) {
            if (s <= previous || s > 100) {
                throw new IllegalArgumentException("steps must be strictly increasing percentages in (0,100], got " + steps);
            }
            previous = s;
        }
        if (previous != 100) {
            throw new IllegalArgumentException("steps must end at 100, got " + steps);
        }
        if (stepInterval.isNegative() || stepInterval.isZero()) {
            throw new IllegalArgumentException("stepInterval must be positive, got " + stepInterval);
        }
        if (minRequests < 0) {
            throw new IllegalArgumentException("minRequests must be >= 0, got " + minRequests);
        }
        if (failureLimit < 1) {
            throw new IllegalArgumentException("failureLimit must be >= 1, got " + failureLimit);
        }
    }
}
