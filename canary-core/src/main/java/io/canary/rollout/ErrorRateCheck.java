package io.canary.rollout;

import io.canary.health.VersionHealth;
import io.canary.rollout.stats.BetaBinomialMixture;
import io.canary.rollout.stats.BetaBinomialMixture.Interval;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The sequential judge's error-rate check: a beta-binomial confidence sequence for each version's
 * error rate, compared through the plan's margin. Worse when the canary's lower bound exceeds what
 * the margin allows over the baseline's upper bound; within when the canary's upper bound (at the
 * promotion level) is at most what it allows over the baseline's lower bound. The plan's absolute
 * {@code maxErrorRate} is a guardrail on the same canary bounds. Pure.
 */
final class ErrorRateCheck {
    private ErrorRateCheck() {
    }

    static Finding check(RolloutPlan plan, ErrorBudget budget, VersionHealth baseline, VersionHealth canary) {
        Analysis a = plan.analysis();
        OptionalDouble guardrail = plan.thresholds().maxErrorRate();
        Interval c = new BetaBinomialMixture(budget.nOptCanary(), budget.errorsAlpha())
                .interval(canary.errors(), canary.requests(), budget.errorsAlpha());
        Interval b = new BetaBinomialMixture(budget.nOptBaseline(), budget.errorsAlpha())
                .interval(baseline.errors(), baseline.requests(), budget.errorsAlpha());
        double allowed = a.allowedErrorRate(b.upper());
        String seen = String.format(Locale.ROOT, "canary error rate %s [%s, %s] vs baseline %s [%s, %s]",
                pct(canary.errorRate()), pct(c.lower()), pct(c.upper()), pct(baseline.errorRate()), pct(b.lower()),
                pct(b.upper()));
        if (canary.requests() > 0 && c.lower() > allowed) {
            return new Finding(Finding.Outcome.WORSE, seen + ": worse beyond the margin of " + margin(a) + " (at most "
                    + pct(allowed) + "), evidence 1/alpha reached after " + count(canary.requests()) + " canary requests");
        }
        if (guardrail.isPresent() && c.lower() > guardrail.getAsDouble()) {
            return new Finding(Finding.Outcome.WORSE, seen + ": above the guardrail of " + pct(guardrail.getAsDouble())
                    + ", evidence 1/alpha reached after " + count(canary.requests()) + " canary requests");
        }
        Interval pc = new BetaBinomialMixture(budget.forPromotion().nOptCanary(), budget.promotion())
                .interval(canary.errors(), canary.requests(), budget.promotion());
        Interval pb = new BetaBinomialMixture(budget.forPromotion().nOptBaseline(), budget.promotion())
                .interval(baseline.errors(), baseline.requests(), budget.promotion());
        double limit = a.allowedErrorRate(pb.lower());
        if (guardrail.isPresent()) {
            limit = Math.min(limit, guardrail.getAsDouble());
        }
        if (canary.requests() > 0 && baseline.requests() > 0 && pc.upper() <= limit) {
            return new Finding(Finding.Outcome.WITHIN, String.format(Locale.ROOT,
                    "error rate %s (at most %s) vs baseline %s: within the margin", pct(canary.errorRate()),
                    pct(pc.upper()), pct(baseline.errorRate())));
        }
        return new Finding(Finding.Outcome.UNDECIDED, String.format(Locale.ROOT,
                "error rate %s (up to %s so far, %s allowed) vs baseline %s", pct(canary.errorRate()), pct(pc.upper()),
                pct(limit), pct(baseline.errorRate())));
    }

    private static String margin(Analysis a) {
        return String.format(Locale.ROOT, "max(%s of the baseline, %s points)", trim(a.errorMarginRelative() * 100) + "%",
                trim(a.errorMarginAbsolute() * 100));
    }

    static String pct(double share) {
        double p = share * 100;
        return String.format(Locale.ROOT, p != 0 && Math.abs(p) < 0.1 ? "%.3f%%" : "%.2f%%", p);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
