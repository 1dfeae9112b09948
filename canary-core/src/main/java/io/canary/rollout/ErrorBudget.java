package io.canary.rollout;

/**
 * How the sequential judge spends the plan's alpha (the false-rollback probability of the whole
 * rollout) and its promotion risk, by the union bound. See ARCHITECTURE.md, "Sequential analysis".
 *
 * <p>A rollout is analysed at each of its steps but the last (reaching 100% completes it). Alpha is
 * spent over those steps unevenly ({@link #FIRST_STEP_SHARE} to the first, the rest evenly over the
 * others): a bad canary shows at the first step, where it gets the least traffic, so that is where a
 * larger level buys the most speed (later steps bring several times the canary traffic and need a
 * smaller share of the threshold's {@code ln(1/alpha)}). Within a step, {@link #ERRORS_SHARE} goes to
 * the error rate and the rest to the latency quantiles.
 * <ul>
 *   <li>Errors: one e-process ({@link io.canary.rollout.stats.ErrorShareTest}, a two-sample test, so
 *       no split between two sequences), and, if the plan has an absolute {@code maxErrorRate}, a
 *       fifth of the share to the canary's confidence sequence for that guardrail.</li>
 *   <li>Latency: split evenly over the quantiles (and the p95 guardrail if set); each test compares
 *       two confidence sequences, the canary's and the baseline's, so each gets half of its share.</li>
 * </ul>
 * A healthy canary is rolled back only if one of these tests errs at some time, which happens with
 * probability at most the sum of their levels: alpha.
 *
 * <p>The mixtures are tuned (never validity, only where each sequence is narrowest) to the traffic
 * the step's weights give each version: {@code nOptCanary} requests for the canary, and as many for
 * the baseline as its share brings in meanwhile.
 *
 * @param errorsAlpha level of the error-rate rollback test
 * @param guardrailAlpha level of the canary's error-rate confidence sequence for the {@code maxErrorRate}
 *     guardrail (0 without one)
 * @param latencyAlpha level of each quantile confidence sequence used for a rollback
 * @param promotion level of each confidence sequence used for a promotion during the step (half of the
 *     promotion risk's share for them, {@code 1 - FINAL_LOOK_SHARE})
 * @param finalPromotion level of each fixed-sample bound of the step's final look, at its maximum duration
 *     (half of {@code FINAL_LOOK_SHARE} of the promotion risk)
 * @param nOptCanary requests at which the canary's sequences are tightest (promotion ones: 5 times
 *     later, since showing a canary within a margin takes longer than catching a bad one)
 * @param nOptBaseline requests at which the baseline's sequences are tightest
 * @param canaryShare the share of the step's analysed requests the canary is expected to get (the
 *     error test's prior is centred on it)
 */
record ErrorBudget(double errorsAlpha, double guardrailAlpha, double latencyAlpha, double promotion,
                   double finalPromotion, double nOptCanary, double nOptBaseline, double canaryShare) {
    /** How much later than a rollback's the promotion sequences are tuned. */
    static final double PROMOTION_TUNING = 5;
    /** The first analysed step's share of alpha (all of it when only one step is analysed). */
    static final double FIRST_STEP_SHARE = 0.6;
    /** The error-rate test's share of a step's alpha; the latency tests get the rest. */
    static final double ERRORS_SHARE = 0.6;
    /** The {@code maxErrorRate} guardrail's part of the errors' share, when the plan has one. */
    static final double GUARDRAIL_SHARE = 0.2;
    /**
     * The share of a step's promotion risk spent on its final look, the one fixed-sample analysis at
     * the maximum step duration; the rest goes to the confidence sequences looked at every health
     * exchange before. So a canary right at a margin passes a step with probability at most the
     * promotion risk, whichever look passes it.
     */
    static final double FINAL_LOOK_SHARE = 0.25;

    /** The same budget tuned for promotion checks. */
    ErrorBudget forPromotion() {
        return new ErrorBudget(errorsAlpha, guardrailAlpha, latencyAlpha, promotion, finalPromotion,
                nOptCanary * PROMOTION_TUNING, nOptBaseline * PROMOTION_TUNING, canaryShare);
    }

    /** The level of the error-rate sequences shown in verdicts (the guardrail's, else the test's). */
    double errorsDisplayAlpha() {
        return guardrailAlpha > 0 ? guardrailAlpha : errorsAlpha;
    }

    /** The share of alpha step {@code stepIndex} spends. */
    static double stepShare(RolloutPlan plan, int stepIndex) {
        int analysed = Math.max(1, plan.analysedSteps());
        if (analysed == 1) {
            return 1;
        }
        return stepIndex <= 0 ? FIRST_STEP_SHARE : (1 - FIRST_STEP_SHARE) / (analysed - 1);
    }

    static ErrorBudget of(RolloutPlan plan, int stepIndex) {
        Analysis a = plan.analysis();
        double perStep = a.alpha() * stepShare(plan, stepIndex);
        double errors = perStep * ERRORS_SHARE;
        boolean guardrail = plan.thresholds().maxErrorRate().isPresent();
        int latencyTests = a.quantiles().size() + (plan.thresholds().maxP95Ms().isPresent() ? 1 : 0);
        double share = plan.expectedCanaryShare(stepIndex);
        double baselineShare = Math.max(0.01, 1 - share) / share;
        double nOpt = SequentialJudge.N_OPT;
        return new ErrorBudget(guardrail ? errors * (1 - GUARDRAIL_SHARE) : errors, guardrail ? errors * GUARDRAIL_SHARE : 0,
                perStep * (1 - ERRORS_SHARE) / (2.0 * latencyTests), a.promotionRisk() * (1 - FINAL_LOOK_SHARE) / 2,
                a.promotionRisk() * FINAL_LOOK_SHARE / 2, nOpt,
                Math.max(nOpt, nOpt * baselineShare), share);
    }
}
