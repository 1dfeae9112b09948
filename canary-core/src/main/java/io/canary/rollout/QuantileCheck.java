package io.canary.rollout;

import io.canary.health.VersionHealth;
import io.canary.rollout.stats.BetaBinomialMixture;
import io.canary.rollout.stats.QuantileBounds;
import io.canary.rollout.stats.QuantileBounds.Bounds;
import java.util.Locale;

/**
 * The sequential judge's latency check of one quantile: time-uniform confidence sequences for the
 * canary's and the baseline's quantile, read off their merged histograms. Worse when the canary's
 * lower bound exceeds the latency ratio times the baseline's upper bound; within when the
 * canary's upper bound (at the promotion level) is at most the ratio times the baseline's lower
 * bound (at the step's final look, its maximum duration, fixed-sample bounds instead:
 * {@link QuantileBounds#fixedSample}). A guardrail variant compares the canary's bounds with an
 * absolute limit. Pure.
 */
final class QuantileCheck {
    private QuantileCheck() {
    }

    static Finding ratio(RolloutPlan plan, ErrorBudget budget, double q, VersionHealth baseline, VersionHealth canary,
                         boolean finalLook) {
        double ratio = plan.analysis().latencyRatio();
        Bounds c = bounds(budget.nOptCanary(), budget.latencyAlpha()).bounds(canary.latency(), q, budget.latencyAlpha());
        Bounds b = bounds(budget.nOptBaseline(), budget.latencyAlpha()).bounds(baseline.latency(), q, budget.latencyAlpha());
        String name = name(q);
        String seen = String.format(Locale.ROOT, "canary %s %s [%s, %s] vs baseline %s %s [%s, %s]", name,
                ms(canary.latency().percentileMillis(q)), ms(c.lower()), ms(c.upper()), name,
                ms(baseline.latency().percentileMillis(q)), ms(b.lower()), ms(b.upper()));
        if (Double.isFinite(b.upper()) && c.lower() > ratio * b.upper()) {
            return new Finding(Finding.Outcome.WORSE, seen + ": over " + ratio + " x the baseline's, evidence 1/alpha reached after "
                    + ErrorRateCheck.count(canary.requests()) + " canary requests");
        }
        Bounds pc = promotionBounds(budget, budget.forPromotion().nOptCanary(), canary, q, finalLook);
        Bounds pb = promotionBounds(budget, budget.forPromotion().nOptBaseline(), baseline, q, finalLook);
        if (Double.isFinite(pc.upper()) && pb.lower() > 0 && pc.upper() <= ratio * pb.lower()) {
            return new Finding(Finding.Outcome.WITHIN, String.format(Locale.ROOT, "%s %s (at most %s) vs baseline %s: within %s x",
                    name, ms(canary.latency().percentileMillis(q)), ms(pc.upper()),
                    ms(baseline.latency().percentileMillis(q)), ratio));
        }
        return new Finding(Finding.Outcome.UNDECIDED, String.format(Locale.ROOT, "%s %s (up to %s so far, %s allowed) vs baseline %s",
                name, ms(canary.latency().percentileMillis(q)), ms(pc.upper()), ms(ratio * pb.lower()),
                ms(baseline.latency().percentileMillis(q))));
    }

    static Finding guardrail(ErrorBudget budget, double q, double limitMs, VersionHealth canary, boolean finalLook) {
        Bounds c = bounds(budget.nOptCanary(), budget.latencyAlpha()).bounds(canary.latency(), q, budget.latencyAlpha());
        String name = name(q);
        if (c.lower() > limitMs) {
            return new Finding(Finding.Outcome.WORSE, String.format(Locale.ROOT,
                    "canary %s %s [%s, %s]: above the guardrail of %s, evidence 1/alpha reached after %s canary requests",
                    name, ms(canary.latency().percentileMillis(q)), ms(c.lower()), ms(c.upper()), ms(limitMs),
                    ErrorRateCheck.count(canary.requests())));
        }
        Bounds pc = promotionBounds(budget, budget.forPromotion().nOptCanary(), canary, q, finalLook);
        if (pc.upper() <= limitMs) {
            return new Finding(Finding.Outcome.WITHIN, name + " at most " + ms(pc.upper()) + ": within the guardrail of " + ms(limitMs));
        }
        return new Finding(Finding.Outcome.UNDECIDED, name + " " + ms(canary.latency().percentileMillis(q))
                + " not yet shown within the guardrail of " + ms(limitMs));
    }

    /** A version's bounds on quantile {@code q} for a promotion check. */
    private static Bounds promotionBounds(ErrorBudget budget, double nOpt, VersionHealth v, double q, boolean finalLook) {
        if (finalLook) {
            return QuantileBounds.fixedSample(v.latency(), q, budget.finalPromotion());
        }
        return bounds(nOpt, budget.promotion()).bounds(v.latency(), q, budget.promotion());
    }

    private static QuantileBounds bounds(double nOpt, double alpha) {
        return new QuantileBounds(new BetaBinomialMixture(nOpt, alpha));
    }

    /** "p99", "p99.9", "p50". */
    static String name(double q) {
        double p = q * 100;
        return "p" + (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(Math.round(p * 100) / 100.0));
    }

    static String ms(double millis) {
        if (Double.isInfinite(millis)) {
            return "?";
        }
        return String.format(Locale.ROOT, millis < 10 ? "%.2f ms" : millis < 1000 ? "%.1f ms" : "%.0f ms", millis);
    }
}
