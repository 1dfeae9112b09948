package io.canary.rollout;

/**
 * How the sequential judge spends the plan's alpha (the false-rollback probability of the whole
 * rollout) and its promotion risk, by the union bound. See ARCHITECTURE.md, "Sequential analysis".
 *
 * <p>A rollout is analysed at each of its steps but the last (reaching 100% completes it): alpha is
 * split evenly over those steps. Within a step, half goes to the error-rate test and half to the
 * latency tests, split evenly over the quantiles (and the p95 guardrail if the plan has one). Each
 * test compares two confidence sequences, the canary's and the baseline's, so each gets half of
 * its test's share: a healthy canary is rolled back only if one of these sequences misses its true
 * value at some time, which happens with probability at most the sum of their levels, alpha.
 *
 * @param errorsAlpha level of each error-rate confidence sequence used for a rollback
 * @param latencyAlpha level of each quantile confidence sequence used for a rollback
 * <p>The mixtures are tuned (never validity, only where each sequence is narrowest) to the traffic
 * the step's weights give each version: {@code nOptCanary} requests for the canary, and as many for
 * the baseline as its share brings in meanwhile.
 *
 * @param errorsAlpha level of each error-rate confidence sequence used for a rollback
 * @param latencyAlpha level of each quantile confidence sequence used for a rollback
 * @param promotion level of each confidence sequence used for a promotion (half the promotion risk)
 * @param nOptCanary requests at which the canary's sequences are tightest (promotion ones: 5 times
 *     later, since showing a canary within a margin takes longer than catching a bad one)
 * @param nOptBaseline requests at which the baseline's sequences are tightest
 */
record ErrorBudget(double errorsAlpha, double latencyAlpha, double promotion, double nOptCanary, double nOptBaseline) {
    /** How much later than a rollback's the promotion sequences are tuned. */
    static final double PROMOTION_TUNING = 5;

    /** The same budget tuned for promotion checks. */
    ErrorBudget forPromotion() {
        return new ErrorBudget(errorsAlpha, latencyAlpha, promotion, nOptCanary * PROMOTION_TUNING,
                nOptBaseline * PROMOTION_TUNING);
    }

    static ErrorBudget of(RolloutPlan plan, int stepIndex) {
        Analysis a = plan.analysis();
        double perStep = a.alpha() / Math.max(1, plan.analysedSteps());
        int latencyTests = a.quantiles().size() + (plan.thresholds().maxP95Ms().isPresent() ? 1 : 0);
        int percent = plan.steps().get(Math.max(0, Math.min(stepIndex, plan.steps().size() - 1)));
        double baselineShare = Math.max(1, 100 - percent) / (double) percent;
        double nOpt = SequentialJudge.N_OPT;
        return new ErrorBudget(perStep / 4, perStep / (4.0 * latencyTests), a.promotionRisk() / 2, nOpt,
                Math.max(nOpt, nOpt * baselineShare));
    }
}
