package io.canary.rollout;

import io.canary.health.VersionHealth;
import io.canary.health.VersionStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The default judge: anytime-valid sequential tests on the step's cumulative evidence, asked at
 * every health exchange, so a bad canary is rolled back the moment the evidence suffices and a
 * healthy one is promoted once the evidence shows it within the plan's margins.
 *
 * <ul>
 *   <li><b>Errors:</b> a beta-binomial mixture confidence sequence for each version's error rate
 *       (Howard, Ramdas, McAuliffe and Sekhon, "Time-uniform, nonparametric, nonasymptotic
 *       confidence sequences", Annals of Statistics 2021; the binomial case of Lindon and Malek,
 *       "Anytime-Valid Inference for Multinomial Count Data", NeurIPS 2022), compared through
 *       {@link Analysis#allowedErrorRate} (see {@link ErrorRateCheck}).</li>
 *   <li><b>Latency:</b> a time-uniform confidence sequence for each of the plan's quantiles of each
 *       version, read off the merged histogram buckets (Howard and Ramdas, "Sequential estimation of
 *       quantiles with applications to A/B-testing and best-arm identification", Bernoulli 2022),
 *       compared through {@link Analysis#latencyRatio()}. Several quantiles, the tail among them,
 *       make it a test of the distribution, not of one percentile: a slow tail (3% of requests ten
 *       times slower) moves the p99 and a doubled spread moves the p90 and p99, though neither moves
 *       the median or the mean much (the approach of Lindon, Sanden and Shirikian, "Rapid
 *       Regression Detection in Software Deployments through Sequential Testing", KDD 2022).</li>
 *   <li><b>Guardrails:</b> the plan's absolute {@code maxErrorRate} and {@code maxP95Ms}, checked on
 *       the same kind of bounds.</li>
 *   <li><b>False rollbacks:</b> at most {@link Analysis#alpha()} over the whole rollout, however
 *       often it is asked ({@link ErrorBudget} splits alpha by the union bound).</li>
 *   <li><b>The final look:</b> the analysis at the step's maximum duration, the last before the
 *       engine ends the step, is one look at a sample whose size the traffic decided, so its promotion
 *       bounds are fixed-sample ones ({@link io.canary.rollout.stats.FixedSampleBounds}, Clopper-Pearson
 *       and order statistics; Wald's truncated sequential test decides at its horizon the same way),
 *       at {@link ErrorBudget#FINAL_LOOK_SHARE} of the promotion risk. A canary inside the margins
 *       that the sequences, paying for a look every second, could not yet show within them (about
 *       three standard errors against two) passes there instead of timing out; the rollback side is
 *       unchanged.</li>
 *   <li><b>Sparse data never passes:</b> a promotion needs {@code minRequests} of each version and
 *       every check's bounds inside its margin; a few requests leave the bounds wide (a tail
 *       quantile has no upper bound at all before ~1/(1-q) requests).</li>
 * </ul>
 * Pure and stateless; one instance serves every rollout.
 */
public final class SequentialJudge implements Judge {
    /**
     * Requests at which the mixture boundaries are tuned to be tightest: about what a 5% step of
     * 600 req/s sees in a minute. Any fixed value keeps the guarantees; this one only shapes where
     * the sequences are narrowest.
     */
    static final double N_OPT = 1000;

    @Override
    public boolean anytimeValid() {
        return true;
    }

    @Override
    public Verdict judge(RolloutPlan plan, StepEvidence evidence) {
        VersionHealth b = evidence.baseline();
        VersionHealth c = evidence.canary();
        ErrorBudget budget = ErrorBudget.of(plan, evidence.stepIndex());
        boolean last = finalLook(plan, evidence);
        List<Finding> findings = new ArrayList<>();
        findings.add(ErrorRateCheck.check(plan, budget, b, c, last));
        for (double q : plan.analysis().quantiles()) {
            findings.add(QuantileCheck.ratio(plan, budget, q, b, c, last));
        }
        if (plan.thresholds().maxP95Ms().isPresent()) {
            findings.add(QuantileCheck.guardrail(budget, 0.95, plan.thresholds().maxP95Ms().getAsDouble(), c, last));
        }
        List<String> worse = texts(findings, Finding.Outcome.WORSE);
        if (!worse.isEmpty()) {
            return verdict(Verdict.Decision.ROLLBACK, String.join("; ", worse), evidence);
        }
        long need = Math.max(1, plan.minRequests());
        if (b.requests() < need || c.requests() < need) {
            return verdict(Verdict.Decision.HOLD, String.format(Locale.ROOT,
                    "too little traffic to judge: canary %s %d requests, baseline %s %d requests, need %d each",
                    c.version(), c.requests(), b.version(), b.requests(), need), evidence);
        }
        List<String> undecided = texts(findings, Finding.Outcome.UNDECIDED);
        String look = last ? " at the final look (fixed-sample bounds, the step's maximum duration reached)" : "";
        if (undecided.isEmpty()) {
            return verdict(Verdict.Decision.PROMOTE, "canary within the margins" + look + " after "
                    + ErrorRateCheck.count(c.requests()) + " canary requests: "
                    + String.join("; ", texts(findings, Finding.Outcome.WITHIN)), evidence);
        }
        return verdict(Verdict.Decision.HOLD, (last ? "not shown within the margins" + look : "not yet shown within the margins")
                + " after " + ErrorRateCheck.count(c.requests()) + " canary requests: " + String.join("; ", undecided), evidence);
    }

    /**
     * True for the step's final look: the analysis once it has lasted its maximum duration, after
     * which the engine ends the step (promoted, or as the plan's {@code onStepTimeout} says). It is
     * one look at a sample whose size the traffic set, so its promotion bounds are fixed-sample
     * ones, tighter than the confidence sequences that pay for being looked at every second.
     */
    static boolean finalLook(RolloutPlan plan, StepEvidence evidence) {
        return evidence.elapsedMillis() >= plan.maxStepDuration().toMillis();
    }

    private static List<String> texts(List<Finding> findings, Finding.Outcome outcome) {
        List<String> out = new ArrayList<>();
        for (Finding f : findings) {
            if (f.outcome() == outcome) {
                out.add(f.text());
            }
        }
        return out;
    }

    private static Verdict verdict(Verdict.Decision decision, String reason, StepEvidence e) {
        VersionStats b = e.baseline().stats();
        VersionStats c = e.canary().stats();
        return new Verdict(decision, reason, e.stepIndex(), e.now(), b, c);
    }
}
