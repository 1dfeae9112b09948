package io.canary.rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How to roll a canary out: the steps, how long a step lasts at least and at most, how much
 * traffic a promotion needs, which judge decides and with which margins, and the guardrails.
 * Immutable; build one with {@link #builder(String, String)}, which starts from the defaults. The
 * whole plan travels in every committed {@link io.canary.model.RolloutInfo}, so any node that
 * takes over as coordinator knows it.
 *
 * <p>With the default {@link JudgeKind#SEQUENTIAL} judge the step is analysed at every health
 * exchange: a rollback happens the moment the evidence suffices; a promotion only once the step
 * has lasted {@code stepInterval} and the evidence says the canary is within the margins; a step
 * still undecided after {@code maxStepDuration} ends as {@code onStepTimeout} says.
 *
 * <p>A plan may begin with a <b>shadow step</b> ({@code shadowMirrorPercent > 0}): its first step is
 * 0% (no user is routed to the canary) while that share of the baseline's requests is mirrored to
 * the canary, and the judge analyses the mirrored copies' health against the baseline's real
 * traffic. A bad canary is rolled back there without any user having seen it; a good one is
 * promoted to the first real step.
 *
 * @param baseline the stable version
 * @param canary the version rolled out
 * @param steps canary percentages, strictly increasing, ending at 100; in (0,100] but for a first 0 (the
 *     shadow step), which is there exactly when {@code shadowMirrorPercent > 0}
 * @param stepInterval the minimum duration of a step (and the analysis period of the threshold judge)
 * @param minRequests requests each version needs in a step before it can pass
 * @param thresholds the threshold judge's bounds; their absolute bounds are guardrails of the sequential judge
 * @param failureLimit consecutive failed analyses that trigger a rollback with the threshold judge (&gt;= 1)
 * @param maxStepDuration how long a step may hold at most (&gt;= stepInterval)
 * @param onStepTimeout what happens to a step that reaches {@code maxStepDuration}
 * @param judge which built-in judge decides
 * @param analysis the sequential judge's error budget and margins
 * @param shadowMirrorPercent share of the baseline's requests mirrored to the canary during the shadow
 *     step, in [0,100]; 0: no shadow step
 */
public record RolloutPlan(String baseline, String canary, List<Integer> steps, Duration stepInterval,
                          long minRequests, Thresholds thresholds, int failureLimit, Duration maxStepDuration,
                          StepTimeout onStepTimeout, JudgeKind judge, Analysis analysis, int shadowMirrorPercent) {

    /** The default steps: 5, 25, 50, 100 percent. */
    public static final List<Integer> DEFAULT_STEPS = List.of(5, 25, 50, 100);
    /** Default analysis period of a step: 30 s, the length of the default health window. */
    public static final Duration DEFAULT_STEP_INTERVAL = Duration.ofSeconds(30);
    /** Default requests each version needs per analysis: 100, below which rates are mostly noise. */
    public static final long DEFAULT_MIN_REQUESTS = 100;
    /** Default consecutive failed analyses before a rollback (threshold judge): 2, so one unlucky analysis is not enough. */
    public static final int DEFAULT_FAILURE_LIMIT = 2;
    /**
     * Default maximum step duration: 15 minutes. At 5% of 600 req/s a healthy canary certifies in a
     * few minutes; one that cannot be told apart from the margin in 15 is not worth waiting for.
     */
    public static final Duration DEFAULT_MAX_STEP_DURATION = Duration.ofMinutes(15);
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
        Objects.requireNonNull(maxStepDuration, "maxStepDuration");
        Objects.requireNonNull(onStepTimeout, "onStepTimeout");
        Objects.requireNonNull(judge, "judge");
        Objects.requireNonNull(analysis, "analysis");
        steps = List.copyOf(steps);
        if (baseline.equals(canary)) {
            throw new IllegalArgumentException("canary must differ from the baseline, both are " + canary);
        }
        PlanSteps.check(steps, shadowMirrorPercent);
        if (stepInterval.isNegative() || stepInterval.isZero()) {
            throw new IllegalArgumentException("stepInterval must be positive, got " + stepInterval);
        }
        if (minRequests < 0) {
            throw new IllegalArgumentException("minRequests must be >= 0, got " + minRequests);
        }
        if (failureLimit < 1) {
            throw new IllegalArgumentException("failureLimit must be >= 1, got " + failureLimit);
        }
        if (maxStepDuration.compareTo(stepInterval) < 0) {
            throw new IllegalArgumentException("maxStepDuration must be >= stepInterval " + stepInterval + ", got "
                    + maxStepDuration);
        }
    }

    /** A plan with the defaults of the fields added with sequential analysis (sequential judge). */
    public RolloutPlan(String baseline, String canary, List<Integer> steps, Duration stepInterval, long minRequests,
                       Thresholds thresholds, int failureLimit) {
        this(baseline, canary, steps, stepInterval, minRequests, thresholds, failureLimit,
                max(DEFAULT_MAX_STEP_DURATION, stepInterval), StepTimeout.ROLL_BACK, JudgeKind.SEQUENTIAL, Analysis.DEFAULT, 0);
    }

    /** A plan without a shadow step. */
    public RolloutPlan(String baseline, String canary, List<Integer> steps, Duration stepInterval, long minRequests,
                       Thresholds thresholds, int failureLimit, Duration maxStepDuration, StepTimeout onStepTimeout,
                       JudgeKind judge, Analysis analysis) {
        this(baseline, canary, steps, stepInterval, minRequests, thresholds, failureLimit, maxStepDuration, onStepTimeout,
                judge, analysis, 0);
    }

    /** True if step {@code stepIndex} is the shadow step: 0% of users, mirrored traffic analysed. */
    public boolean isShadowStep(int stepIndex) {
        return shadowMirrorPercent > 0 && stepIndex == 0;
    }

    /** The steps users are routed by: {@link #steps()} without the shadow step. */
    public List<Integer> userSteps() {
        return shadowMirrorPercent > 0 ? steps.subList(1, steps.size()) : steps;
    }

    /** Steps analysed by a judge: all but the last (reaching 100% completes the rollout). */
    public int analysedSteps() {
        return steps.size() - 1;
    }

    /**
     * The share of a step's analysed requests the canary is expected to get: its percentage (kept
     * inside (0, 1)). Only tunes the judge's priors; a different real share costs power, not validity.
     */
    public double expectedCanaryShare(int stepIndex) {
        if (isShadowStep(stepIndex)) {
            // mirrored copies of that share of the baseline's requests, next to all of them
            return shadowMirrorPercent / (100.0 + shadowMirrorPercent);
        }
        int percent = steps.get(Math.max(0, Math.min(stepIndex, steps.size() - 1)));
        return Math.max(0.0001, Math.min(0.99, percent / 100.0));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** A builder for rolling {@code canary} out over {@code baseline}, starting from the defaults. */
    public static Builder builder(String baseline, String canary) {
        return new Builder(baseline, canary);
    }

    /** A builder starting from this plan. */
    public Builder toBuilder() {
        Builder b = new Builder(baseline, canary);
        b.steps = userSteps();
        b.shadowMirrorPercent = shadowMirrorPercent;
        b.stepInterval = stepInterval;
        b.minRequests = minRequests;
        b.thresholds = thresholds;
        b.failureLimit = failureLimit;
        b.maxStepDuration = maxStepDuration;
        b.onStepTimeout = onStepTimeout;
        b.judge = judge;
        b.analysis = analysis;
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
        private Duration maxStepDuration;
        private StepTimeout onStepTimeout = StepTimeout.ROLL_BACK;
        private JudgeKind judge = JudgeKind.SEQUENTIAL;
        private Analysis analysis = Analysis.DEFAULT;
        private int shadowMirrorPercent;

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
            PlanSteps.checkUserSteps(copy, 0, percents);
            this.steps = List.copyOf(copy);
            return this;
        }

        /** See {@link #steps(List)}. */
        public Builder steps(int... percents) {
            return steps(java.util.Arrays.stream(percents).boxed().toList());
        }

        /**
         * The minimum duration of a step: no promotion before (with the threshold judge, also the
         * period of its analyses). Default 30 s.
         */
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

        /**
         * How long a step may hold at most; unset, the default of 15 minutes (or the step interval
         * if longer). Must be at least the step interval.
         */
        public Builder maxStepDuration(Duration duration) {
            Objects.requireNonNull(duration, "maxStepDuration");
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("maxStepDuration must be positive, got " + duration);
            }
            this.maxStepDuration = duration;
            return this;
        }

        /** What a step that reaches the maximum step duration does. Default {@link StepTimeout#ROLL_BACK}. */
        public Builder onStepTimeout(StepTimeout outcome) {
            this.onStepTimeout = Objects.requireNonNull(outcome, "onStepTimeout");
            return this;
        }

        /** Which built-in judge decides. Default {@link JudgeKind#SEQUENTIAL}. */
        public Builder judge(JudgeKind kind) {
            this.judge = Objects.requireNonNull(kind, "judge");
            return this;
        }

        /** The sequential judge's settings. Default {@link Analysis#DEFAULT}. */
        public Builder analysis(Analysis settings) {
            this.analysis = Objects.requireNonNull(settings, "analysis");
            return this;
        }

        /**
         * Begin with a shadow step: no user on the canary, {@code mirrorPercent} of the baseline's
         * requests mirrored to it, analysed like any step (rolled back with no user affected, or
         * promoted to the first of {@link #steps}). 0 (the default) for none.
         *
         * @param mirrorPercent the share of the baseline's requests copied to the canary, in [0,100]
         */
        public Builder shadow(int mirrorPercent) {
            if (mirrorPercent < 0 || mirrorPercent > 100) {
                throw new IllegalArgumentException("shadow mirror share must be in [0%,100%], got " + mirrorPercent + "%");
            }
            this.shadowMirrorPercent = mirrorPercent;
            return this;
        }

        /** The false-rollback probability of the whole rollout, in (0, 0.5]. Default 0.01. */
        public Builder alpha(double alpha) {
            this.analysis = analysis.withAlpha(alpha);
            return this;
        }

        /**
         * The sequential judge's promotion margin for errors: the canary passes a step once shown to fail
         * at most {@code max(relative x baseline rate, absolute)} more requests than the baseline.
         * Default 50% and 0.005 (0.5 points).
         *
         * @param relative a share of the baseline's error rate, in [0, 100]
         * @param absolute a share of requests, in [0, 1]
         */
        public Builder errorMargin(double relative, double absolute) {
            this.analysis = analysis.withErrorMargins(relative, absolute);
            return this;
        }

        /**
         * The sequential judge's rollback margin for errors: the canary is rolled back once the
         * evidence shows its error odds above {@code oddsRatio} times the baseline's and its observed
         * error rate at least {@code floor} above the baseline's. Default 1.2 and 0.002 (0.2 points).
         * The false-rollback bound alpha holds for every canary inside it.
         *
         * @param oddsRatio canary error odds over the baseline's, in [1, 1000]
         * @param floor a share of requests, in [0, 1]
         */
        public Builder rollbackErrorMargin(double oddsRatio, double floor) {
            this.analysis = analysis.withRollbackMargins(oddsRatio, floor);
            return this;
        }

        /**
         * The sequential judge's latency margin: each of its quantiles (default 0.5, 0.9, 0.99) of the
         * canary may be up to {@code ratio} times the baseline's. Default 1.2.
         *
         * @param ratio in [1, 1000]
         */
        public Builder latencyRatio(double ratio) {
            this.analysis = analysis.withLatency(ratio, analysis.quantiles());
            return this;
        }

        /** The latency quantiles the sequential judge compares: 1 to 8, strictly increasing in (0, 1). */
        public Builder quantiles(List<Double> quantiles) {
            this.analysis = analysis.withLatency(analysis.latencyRatio(), Objects.requireNonNull(quantiles, "quantiles"));
            return this;
        }

        /**
         * The level of the sequential judge's promotion checks, per step: a canary right at a margin
         * passes a step with at most this probability. In (0, 0.5]; default 0.2.
         */
        public Builder promotionRisk(double risk) {
            this.analysis = analysis.withPromotionRisk(risk);
            return this;
        }

        /** Consecutive failed analyses that trigger a rollback with the threshold judge. Default 2. */
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

        /** @throws IllegalArgumentException if the canary is the baseline, or the maximum step duration is below the interval */
        public RolloutPlan build() {
            Duration max = maxStepDuration != null ? maxStepDuration : RolloutPlan.max(DEFAULT_MAX_STEP_DURATION, stepInterval);
            List<Integer> all = steps;
            if (shadowMirrorPercent > 0) {
                all = new ArrayList<>();
                all.add(0);
                all.addAll(steps);
            }
            return new RolloutPlan(baseline, canary, all, stepInterval, minRequests, thresholds, failureLimit, max,
                    onStepTimeout, judge, analysis, shadowMirrorPercent);
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
