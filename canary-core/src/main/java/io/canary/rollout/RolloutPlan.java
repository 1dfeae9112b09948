package io.canary.rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How to roll a canary out: the steps, how long each is analysed, how much traffic an analysis
 * needs, what counts as healthy, and how many failed analyses in a row trigger a rollback.
 * Immutable; build one with {@link #builder(String, String)}, which starts from the defaults.
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
    /** Default analysis period of a step: 30 s, the length of the default health window. */
    public static final Duration DEFAULT_STEP_INTERVAL = Duration.ofSeconds(30);
    /** Default requests each version needs per analysis: 100, below which rates are mostly noise. */
    public static final long DEFAULT_MIN_REQUESTS = 100;
    /** Default consecutive failed analyses before a rollback: 2, so one unlucky analysis is not enough. */
    public static final int DEFAULT_FAILURE_LIMIT = 2;
    /**
     * Default thresholds: the canary's error rate at most 5 percentage points over the baseline's,
     * and its p95 at most 1.5 times the baseline's; no absolute bounds (they depend on the service).
     * The 5 points are wide on purpose: with 100 requests per version an error rate is only known
     * to a few points, and a tighter default would roll healthy canaries back on noise.
     */
    public static final Thresholds DEFAULT_THRESHOLDS = new Thresholds(OptionalDouble.empty(), OptionalDouble.of(0.05),
            OptionalDouble.empty(), OptionalDouble.of(1.5));

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

    /** A builder for rolling {@code canary} out over {@code baseline}, starting from the defaults. */
    public static Builder builder(String baseline, String canary) {
        return new Builder(baseline, canary);
    }

    /** A builder starting from this plan. */
    public Builder toBuilder() {
        Builder b = new Builder(baseline, canary);
        b.steps = steps;
        b.stepInterval = stepInterval;
        b.minRequests = minRequests;
        b.thresholds = thresholds;
        b.failureLimit = failureLimit;
        return b;
    }

    /** Validating builder: each setter names the field and the bad value; {@link #build()} checks the rest. */
    public static final class Builder {
        private final String baseline;
        private final String canary;
        private List<Integer> steps = DEFAULT_STEPS;
        private Duration stepInterval = DEFAULT_STEP_INTERVAL;
        private long minRequests = DEFAULT_MIN_REQUESTS;
        private Thresholds thresholds = DEFAULT_THRESHOLDS;
        private int failureLimit = DEFAULT_FAILURE_LIMIT;

        private Builder(String baseline, String canary) {
            this.baseline = versionName("baseline", baseline);
            this.canary = versionName("canary", canary);
        }

        /** Canary percentages, strictly increasing in (0,100], ending at 100. Default 5, 25, 50, 100. */
        public Builder steps(List<Integer> percents) {
            Objects.requireNonNull(percents, "steps");
            List<Integer> copy = new ArrayList<>(percents);
            if (copy.isEmpty() || copy.contains(null)) {
                throw new IllegalArgumentException("steps must be a non-empty list of percentages, got " + percents);
            }
            int previous = 0;
            for (int s : copy) {
                if (s <= previous || s > 100) {
                    throw new IllegalArgumentException("steps must be strictly increasing percentages in (0,100], got " + percents);
                }
                previous = s;
            }
            if (previous != 100) {
                throw new IllegalArgumentException("steps must end at 100, got " + percents);
            }
            this.steps = List.copyOf(copy);
            return this;
        }

        /** See {@link #steps(List)}. */
        public Builder steps(int... percents) {
            List<Integer> list = new ArrayList<>();
            for (int p : percents) {
                list.add(p);
            }
            return steps(list);
        }

        /** How long each step is analysed (and re-analysed after a HOLD). Default 30 s. */
        public Builder stepInterval(Duration interval) {
            Objects.requireNonNull(interval, "stepInterval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("stepInterval must be positive, got " + interval);
            }
            this.stepInterval = interval;
            return this;
        }

        /** Requests each version needs in an analysis before it can pass. Default 100. */
        public Builder minRequests(long requests) {
            if (requests < 0) {
                throw new IllegalArgumentException("minRequests must be >= 0, got " + requests);
            }
            this.minRequests = requests;
            return this;
        }

        /** Consecutive failed analyses that trigger a rollback. Default 2. */
        public Builder failureLimit(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("failureLimit must be >= 1, got " + limit);
            }
            this.failureLimit = limit;
            return this;
        }

        /** Replaces every threshold; {@link Thresholds#NONE} checks none. Default {@link #DEFAULT_THRESHOLDS}. */
        public Builder thresholds(Thresholds all) {
            this.thresholds = Objects.requireNonNull(all, "thresholds");
            return this;
        }

        /** The canary's error rate must be at most this share (0..1). */
        public Builder maxErrorRate(double share) {
            thresholds = new Thresholds(checked("maxErrorRate", share, 0, 1), thresholds.maxErrorRateDelta(),
                    thresholds.maxP95Ms(), thresholds.maxP95Ratio());
            return this;
        }

        /** The canary's error rate must be at most the baseline's plus this share (0..1). */
        public Builder maxErrorRateDelta(double share) {
            thresholds = new Thresholds(thresholds.maxErrorRate(), checked("maxErrorRateDelta", share, 0, 1),
                    thresholds.maxP95Ms(), thresholds.maxP95Ratio());
            return this;
        }

        /** The canary's p95 must be at most this many milliseconds (&gt; 0). */
        public Builder maxP95Ms(double millis) {
            thresholds = new Thresholds(thresholds.maxErrorRate(), thresholds.maxErrorRateDelta(),
                    checked("maxP95Ms", millis, Double.MIN_VALUE, Double.MAX_VALUE), thresholds.maxP95Ratio());
            return this;
        }

        /** The canary's p95 must be at most the baseline's times this (&gt; 0). */
        public Builder maxP95Ratio(double ratio) {
            thresholds = new Thresholds(thresholds.maxErrorRate(), thresholds.maxErrorRateDelta(),
                    thresholds.maxP95Ms(), checked("maxP95Ratio", ratio, Double.MIN_VALUE, Double.MAX_VALUE));
            return this;
        }

        /** @throws IllegalArgumentException if the canary is the baseline */
        public RolloutPlan build() {
            return new RolloutPlan(baseline, canary, steps, stepInterval, minRequests, thresholds, failureLimit);
        }

        private static OptionalDouble checked(String field, double value, double min, double max) {
            if (Double.isNaN(value) || value < min || value > max) {
                String range = max == Double.MAX_VALUE ? "> 0" : "in [" + min + "," + max + "]";
                throw new IllegalArgumentException(field + " must be " + range + ", got " + value);
            }
            return OptionalDouble.of(value);
        }

        private static String versionName(String field, String version) {
            if (version == null || version.isBlank()) {
                throw new IllegalArgumentException(field + " version must not be blank, got '" + version + "'");
            }
            return version;
        }
    }
}
