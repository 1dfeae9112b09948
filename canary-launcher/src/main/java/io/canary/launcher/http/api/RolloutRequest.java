package io.canary.launcher.http.api;

import io.canary.launcher.Durations;
import io.canary.rollout.Analysis;
import io.canary.rollout.JudgeKind;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.StepTimeout;
import java.time.Duration;
import java.util.List;

/**
 * {@code POST /rollout} body. Only {@code canary} is required; every other field takes
 * {@link RolloutPlan}'s default. {@code interval} (the minimum step duration) and {@code maxStep} are
 * durations such as {@code "30s"} or {@code "500ms"}; {@code judge} is {@code "sequential"} (the
 * default) or {@code "threshold"}; {@code onStepTimeout} is {@code "roll_back"} or {@code "pause"};
 * {@code alpha}, {@code promotionRisk}, the promotion margins {@code errorMargin} (absolute, a share)
 * and {@code errorMarginRelative} (a share of the baseline's rate), the rollback margins
 * {@code rollbackErrorRatio} (error odds, canary over baseline) and {@code rollbackErrorFloor} (a
 * share), {@code latencyRatio} and {@code quantiles} tune the sequential judge ({@link Analysis}
 * says what each means and why its default; without rollback margins they are the defaults, kept
 * inside the promotion margins given). Without {@code judge}, a
 * request giving {@code maxErrorRateDelta}, {@code maxP95Ratio} or {@code failureLimit} (which only
 * the threshold judge has) gets the threshold judge. {@code shadow} (a share such as {@code 0.1}, a
 * whole percentage in (0, 1]) begins the plan with a shadow step: no user on the canary, that share of
 * the baseline's requests mirrored to it and analysed, before the first of {@code steps}.
 */
public record RolloutRequest(String canary, String baseline, List<Integer> steps, String interval, Long minRequests,
                             Double maxErrorRate, Double maxErrorRateDelta, Double maxP95Ms, Double maxP95Ratio,
                             Integer failureLimit, String judge, String maxStep, String onStepTimeout, Double alpha,
                             Double errorMargin, Double errorMarginRelative, Double latencyRatio, List<Double> quantiles,
                             Double shadow, Double rollbackErrorRatio, Double rollbackErrorFloor, Double promotionRisk) {

    /** A request with every default: what {@code canary node --rollout v2} starts. */
    public static RolloutRequest of(String canary) {
        return new RolloutRequest(canary, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
    }

    /** A bad value of the sequential judge's settings: the request's field and what is wrong with it. */
    public static final class BadSetting extends IllegalArgumentException {
        private final String field;

        BadSetting(String field, String problem) {
            super("field '" + field + "': " + problem);
            this.field = field;
        }

        /** The JSON field, e.g. {@code rollbackErrorRatio}. */
        public String field() {
            return field;
        }
    }

    /**
     * The sequential judge's settings this request asks for, the defaults filled in. Without rollback
     * margins, they are the defaults kept inside the promotion margins (odds ratio at most 1 +
     * {@code errorMarginRelative}, floor at most {@code errorMargin}).
     *
     * @throws BadSetting naming the field and the bad value
     */
    public Analysis analysis() {
        Analysis a = Analysis.DEFAULT;
        try {
            a = new Analysis(alpha != null ? alpha : a.alpha(), promotionRisk != null ? promotionRisk : a.promotionRisk(),
                    errorMarginRelative != null ? errorMarginRelative : a.errorMarginRelative(),
                    errorMargin != null ? errorMargin : a.errorMarginAbsolute(),
                    latencyRatio != null ? latencyRatio : a.latencyRatio(), quantiles != null ? quantiles : a.quantiles());
            if (rollbackErrorRatio != null || rollbackErrorFloor != null) {
                a = a.withRollbackMargins(rollbackErrorRatio != null ? rollbackErrorRatio : a.rollbackErrorRatio(),
                        rollbackErrorFloor != null ? rollbackErrorFloor : a.rollbackErrorFloor());
            }
            return a;
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new BadSetting(analysisField(e.getMessage()), String.valueOf(e.getMessage()));
        }
    }

    /**
     * A shadow share as a whole percentage: {@code 0.1} is 10.
     *
     * @throws IllegalArgumentException unless it is a whole percentage in (0%, 100%]
     */
    public static int shadowPercent(double share) {
        double percent = share * 100;
        long whole = Math.round(percent);
        if (Double.isNaN(share) || Math.abs(percent - whole) > 1e-6 || whole < 1 || whole > 100) {
            throw new IllegalArgumentException("the shadow share must be a whole percentage in (0%, 100%], e.g. 0.1 or 10%, got "
                    + (Double.isNaN(share) ? "NaN" : trim(percent) + "%"));
        }
        return (int) whole;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
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
        if (judge != null) {
            plan.judge(parseEnum("judge", judge, JudgeKind.class));
        } else if (maxErrorRateDelta != null || maxP95Ratio != null || failureLimit != null) {
            // Only the threshold judge has these: asking for them (as scripts written for it do) picks it.
            plan.judge(JudgeKind.THRESHOLD);
        }
        if (maxStep != null) {
            plan.maxStepDuration(parseDuration("maxStep", maxStep));
        }
        if (shadow != null) {
            try {
                plan.shadow(shadowPercent(shadow));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("field 'shadow': " + e.getMessage());
            }
        }
        if (onStepTimeout != null) {
            plan.onStepTimeout(parseEnum("onStepTimeout", onStepTimeout, StepTimeout.class));
        }
        return plan.analysis(analysis()).build();
    }

    private static String analysisField(String message) {
        String m = message == null ? "" : message;
        return m.startsWith("errorMarginAbsolute") ? "errorMargin" : m.contains(" ") ? m.substring(0, m.indexOf(' ')) : "quantiles";
    }

    private static <E extends Enum<E>> E parseEnum(String field, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.replace('-', '_'))) {
                return e;
            }
        }
        StringBuilder known = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            known.append(known.length() > 0 ? ", " : "").append(e.name().toLowerCase(java.util.Locale.ROOT));
        }
        throw new IllegalArgumentException("field '" + field + "' must be one of " + known + ", got '" + value + "'");
    }

    private static Duration parseDuration(String field, String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field '" + field + "': " + e.getMessage());
        }
    }

    private static Duration parseInterval(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field 'interval': " + e.getMessage());
        }
    }
}
