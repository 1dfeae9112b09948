package io.canary.rollout;

import io.canary.health.VersionHealth;
import io.canary.rollout.stats.BetaBinomialMixture;
import io.canary.rollout.stats.BetaBinomialMixture.Interval;
import io.canary.rollout.stats.ErrorShareTest;
import io.canary.rollout.stats.FixedSampleBounds;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The sequential judge's error-rate check. Pure.
 *
 * <ul>
 *   <li><b>Worse</b> (rollback): the two-sample e-process of {@link ErrorShareTest} reaches
 *       {@code 1/alpha} against "the canary's error odds are at most {@code rollbackErrorRatio} times
 *       the baseline's", and the canary's observed error rate is at least {@code rollbackErrorFloor}
 *       above the baseline's; or the canary's confidence sequence lies above the absolute
 *       {@code maxErrorRate} guardrail.</li>
 *   <li><b>Within</b> (promotion): the canary's upper bound (a beta-binomial confidence sequence at the
 *       promotion level) is at most what the wider promotion margin allows over the baseline's lower
 *       bound (and at most the guardrail). At the step's final look (its maximum duration) the bounds
 *       are the fixed-sample Clopper-Pearson ones of {@link FixedSampleBounds} instead.</li>
 * </ul>
 * Between the two margins a canary holds. The verdict's intervals are the two versions' confidence
 * sequences at the error test's level.
 */
final class ErrorRateCheck {
    private ErrorRateCheck() {
    }

    /**
     * @param finalLook the step's final analysis, at its maximum duration: promotion bounds are
     *     fixed-sample ones (one look), not confidence sequences
     */
    static Finding check(RolloutPlan plan, ErrorBudget budget, VersionHealth baseline, VersionHealth canary,
                         boolean finalLook) {
        Analysis a = plan.analysis();
        OptionalDouble guardrail = plan.thresholds().maxErrorRate();
        double shown = budget.errorsDisplayAlpha();
        Interval c = new BetaBinomialMixture(budget.nOptCanary(), shown).interval(canary.errors(), canary.requests(), shown);
        Interval b = new BetaBinomialMixture(budget.nOptBaseline(), shown)
                .interval(baseline.errors(), baseline.requests(), shown);
        String seen = String.format(Locale.ROOT, "canary error rate %s [%s, %s] vs baseline %s [%s, %s]",
                pct(canary.errorRate()), pct(c.lower()), pct(c.upper()), pct(baseline.errorRate()), pct(b.lower()),
                pct(b.upper()));
        double logEvidence = new ErrorShareTest(budget.canaryShare()).logEvidence(canary.errors(), canary.requests(),
                baseline.errors(), baseline.requests(), a.rollbackErrorRatio());
        double threshold = Math.log(1 / budget.errorsAlpha());
        if (logEvidence >= threshold && canary.errorRate() - baseline.errorRate() >= a.rollbackErrorFloor()) {
            double odds = ErrorShareTest.observedOddsRatio(canary.errors(), canary.requests(), baseline.errors(),
                    baseline.requests());
            return new Finding(Finding.Outcome.WORSE, seen + String.format(Locale.ROOT,
                    ": error odds %s the baseline's, worse beyond the rollback margin of %sx (and %s points),"
                            + " evidence 1/alpha reached after %s canary requests (e-value %s >= %s)",
                    Double.isInfinite(odds) ? "infinitely many times" : trim2(odds) + "x", trim(a.rollbackErrorRatio()),
                    trim(a.rollbackErrorFloor() * 100), count(canary.requests()), evalue(logEvidence), evalue(threshold)));
        }
        if (guardrail.isPresent() && budget.guardrailAlpha() > 0 && canary.requests() > 0
                && c.lower() > guardrail.getAsDouble()) {
            return new Finding(Finding.Outcome.WORSE, seen + ": above the guardrail of " + pct(guardrail.getAsDouble())
                    + ", evidence 1/alpha reached after " + count(canary.requests()) + " canary requests");
        }
        Interval pc = promotionInterval(canary, budget, budget.forPromotion().nOptCanary(), finalLook);
        Interval pb = promotionInterval(baseline, budget, budget.forPromotion().nOptBaseline(), finalLook);
        double limit = a.allowedErrorRate(pb.lower());
        if (guardrail.isPresent()) {
            limit = Math.min(limit, guardrail.getAsDouble());
        }
        if (canary.requests() > 0 && baseline.requests() > 0 && pc.upper() <= limit) {
            return new Finding(Finding.Outcome.WITHIN, String.format(Locale.ROOT,
                    "error rate %s (at most %s) vs baseline %s: within the margin of %s", pct(canary.errorRate()),
                    pct(pc.upper()), pct(baseline.errorRate()), margin(a)));
        }
        return new Finding(Finding.Outcome.UNDECIDED, String.format(Locale.ROOT,
                "error rate %s (up to %s so far, %s allowed) vs baseline %s", pct(canary.errorRate()), pct(pc.upper()),
                pct(limit), pct(baseline.errorRate())));
    }

    /** A version's error-rate bounds for the promotion check. */
    private static Interval promotionInterval(VersionHealth v, ErrorBudget budget, double nOpt, boolean finalLook) {
        if (v.requests() == 0) {
            return new Interval(0, 1);
        }
        if (finalLook) {
            double beta = budget.finalPromotion();
            return new Interval(FixedSampleBounds.rateLower(v.errors(), v.requests(), beta),
                    FixedSampleBounds.rateUpper(v.errors(), v.requests(), beta));
        }
        return new BetaBinomialMixture(nOpt, budget.promotion()).interval(v.errors(), v.requests(), budget.promotion());
    }

    private static String margin(Analysis a) {
        return String.format(Locale.ROOT, "max(%s of the baseline, %s points)", trim(a.errorMarginRelative() * 100) + "%",
                trim(a.errorMarginAbsolute() * 100));
    }

    /** An e-value for people: "1,234" or "3.2e+05". */
    private static String evalue(double log) {
        double v = Math.exp(Math.min(log, 700));
        return v < 1e5 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1e", v);
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

    private static String trim2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
