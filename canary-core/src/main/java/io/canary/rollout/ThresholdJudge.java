package io.canary.rollout;

import io.canary.health.VersionStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The judge that compares the canary with the plan's {@link Thresholds}:
 * <ol>
 *   <li>fewer than {@code minRequests} requests (and never fewer than one) for the baseline or the
 *       canary: HOLD, naming both counts;</li>
 *   <li>any threshold broken: ROLLBACK, quoting every broken threshold with its numbers, e.g.
 *       {@code canary p95 240.1 ms > 2.0 x baseline p95 118.0 ms};</li>
 *   <li>otherwise PROMOTE, quoting the numbers compared.</li>
 * </ol>
 * Pure and stateless; one instance serves every rollout. Not anytime-valid: a point estimate
 * compared with a bound is noisy, so the engine asks it once per step interval and rolls back after
 * the plan's {@code failureLimit} failed analyses in a row (the behaviour before sequential
 * analysis, kept selectable with {@link JudgeKind#THRESHOLD}).
 */
public final class ThresholdJudge implements Judge {

    @Override
    public Verdict judge(RolloutPlan plan, StepEvidence evidence) {
        int stepIndex = evidence.stepIndex();
        long now = evidence.now();
        VersionStats b = evidence.baseline().stats();
        VersionStats c = evidence.canary().stats();
        long need = Math.max(1, plan.minRequests());
        if (b.requests() < need || c.requests() < need) {
            String reason = format("too little traffic to judge: canary %s %d requests, baseline %s %d requests, need %d each",
                    c.version(), c.requests(), b.version(), b.requests(), need);
            return new Verdict(Verdict.Decision.HOLD, reason, stepIndex, now, b, c);
        }
        Thresholds t = plan.thresholds();
        List<String> broken = new ArrayList<>();
        if (exceeds(c.errorRate(), t.maxErrorRate(), 0)) {
            broken.add(format("canary error rate %s > max %s", percent(c.errorRate()), percent(t.maxErrorRate().getAsDouble())));
        }
        if (exceeds(c.errorRate(), t.maxErrorRateDelta(), b.errorRate())) {
            broken.add(format("canary error rate %s > baseline %s + %s", percent(c.errorRate()), percent(b.errorRate()),
                    percent(t.maxErrorRateDelta().getAsDouble())));
        }
        if (exceeds(c.p95Ms(), t.maxP95Ms(), 0)) {
            broken.add(format("canary p95 %.1f ms > max %.1f ms", c.p95Ms(), t.maxP95Ms().getAsDouble()));
        }
        if (t.maxP95Ratio().isPresent() && c.p95Ms() > b.p95Ms() * t.maxP95Ratio().getAsDouble()) {
            broken.add(format("canary p95 %.1f ms > %.1f x baseline p95 %.1f ms", c.p95Ms(),
                    t.maxP95Ratio().getAsDouble(), b.p95Ms()));
        }
        if (!broken.isEmpty()) {
            return new Verdict(Verdict.Decision.ROLLBACK, String.join("; ", broken), stepIndex, now, b, c);
        }
        String reason = format("canary healthy: error rate %s (baseline %s), p95 %.1f ms (baseline %.1f ms), %d and %d requests",
                percent(c.errorRate()), percent(b.errorRate()), c.p95Ms(), b.p95Ms(), c.requests(), b.requests());
        return new Verdict(Verdict.Decision.PROMOTE, reason, stepIndex, now, b, c);
    }

    private static boolean exceeds(double value, OptionalDouble bound, double offset) {
        return bound.isPresent() && value > offset + bound.getAsDouble();
    }

    private static String percent(double share) {
        return format("%.2f%%", share * 100);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
