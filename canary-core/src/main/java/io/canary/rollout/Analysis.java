package io.canary.rollout;

import java.util.List;
import java.util.Objects;

/**
 * The settings of the sequential judge ({@link SequentialJudge}): error budgets and practical
 * margins. Immutable and validated: each bad value is named.
 *
 * <p>Why these defaults (see ARCHITECTURE.md, "Sequential analysis"):
 * <ul>
 *   <li>{@code alpha} 1%: at most one healthy rollout in a hundred is rolled back by the statistics,
 *       however often it is looked at.</li>
 *   <li>{@code promotionRisk} 20% per test and step: a canary is promoted when every confidence
 *       sequence, at this (weaker) level, lies inside the margin. A canary clearly worse than the
 *       margin is essentially never promoted (its upper bound stays above it); one right at the
 *       margin passes a step at most 20% of the time and must pass every step. A stricter level
 *       would make healthy steps last several times longer for little gain.</li>
 *   <li>error margins, two of them, one for each decision (an indifference zone between them, as in
 *       any sequential test of two hypotheses):
 *       <ul>
 *         <li><b>promotion</b>: the canary passes a step only once shown to fail at most
 *             {@code max(errorMarginRelative x baseline, errorMarginAbsolute)} more requests than the
 *             baseline: 50% more, and never less than 0.5 points (a baseline with no errors still
 *             tolerates a few). Wide, so that a healthy canary is shown within it in a few minutes at
 *             5% of 600 req/s.</li>
 *         <li><b>rollback</b>: the canary is rolled back once the evidence shows its error odds above
 *             {@code rollbackErrorRatio} (1.2) times the baseline's and its observed error rate at
 *             least {@code rollbackErrorFloor} (0.2 points) above the baseline's. Narrow, so that +2
 *             points on a 1% baseline (odds 3 times the baseline's) is caught in about half a minute at
 *             the 5% step; the false-rollback bound alpha holds for every canary within it (odds at
 *             most 1.2 times the baseline's: a 1.1% canary next to a 1% baseline is inside).</li>
 *       </ul>
 *       A canary between the two (say 1.3% next to 1%) may go either way: it holds until it is shown
 *       within the wide margin (promoted) or beyond the narrow one (rolled back), or its step reaches
 *       its maximum duration.</li>
 *   <li>{@code latencyRatio} 1.2 on the quantiles 0.5, 0.9, 0.99: the canary's quantile may be up to
 *       1.2 times the baseline's. The median catches a general slowdown, the 0.9 a wider spread, the
 *       0.99 a slow tail: "twice the spread, same mean" moves the p99 by 1.5-1.8x and "3% of requests
 *       10x slower" moves only quantiles above 0.97, both well past 1.2; a healthy heavy-tailed
 *       canary's quantiles are the baseline's, within 1.2 once a few thousand requests are in.</li>
 * </ul>
 *
 * @param alpha the false-rollback probability of a whole rollout, in (0, 0.5]
 * @param promotionRisk the level of each promotion check, in (0, 0.5]
 * @param errorMarginRelative tolerated extra error rate as a share of the baseline's (&gt;= 0)
 * @param errorMarginAbsolute tolerated extra error rate in absolute terms, a share in [0, 1]
 * @param latencyRatio tolerated ratio of the canary's quantiles to the baseline's (&gt;= 1)
 * @param quantiles the latency quantiles compared, each in (0, 1), strictly increasing, 1 to 8 of them
 * @param rollbackErrorRatio the error odds ratio (canary over baseline) beyond which the evidence rolls the
 *     canary back, in [1, 1000]
 * @param rollbackErrorFloor the least excess of the canary's observed error rate over the baseline's for an
 *     error-rate rollback, a share in [0, 1]; a practical floor that only ever prevents rollbacks
 */
public record Analysis(double alpha, double promotionRisk, double errorMarginRelative, double errorMarginAbsolute,
                       double latencyRatio, List<Double> quantiles, double rollbackErrorRatio, double rollbackErrorFloor) {

    /** Default {@link #rollbackErrorRatio()}: 1.2. */
    public static final double DEFAULT_ROLLBACK_ERROR_RATIO = 1.2;
    /** Default {@link #rollbackErrorFloor()}: 0.2 points. */
    public static final double DEFAULT_ROLLBACK_ERROR_FLOOR = 0.002;

    /** The defaults justified above. */
    public static final Analysis DEFAULT = new Analysis(0.01, 0.2, 0.5, 0.005, 1.2, List.of(0.5, 0.9, 0.99),
            DEFAULT_ROLLBACK_ERROR_RATIO, DEFAULT_ROLLBACK_ERROR_FLOOR);

    /** Latency quantiles at most. */
    public static final int MAX_QUANTILES = 8;

    public Analysis {
        Objects.requireNonNull(quantiles, "quantiles");
        check("alpha", alpha, Double.MIN_VALUE, 0.5);
        check("promotionRisk", promotionRisk, Double.MIN_VALUE, 0.5);
        check("errorMarginRelative", errorMarginRelative, 0, 100);
        check("errorMarginAbsolute", errorMarginAbsolute, 0, 1);
        check("latencyRatio", latencyRatio, 1, 1000);
        check("rollbackErrorRatio", rollbackErrorRatio, 1, 1000);
        check("rollbackErrorFloor", rollbackErrorFloor, 0, 1);
        quantiles = List.copyOf(quantiles);
        if (quantiles.isEmpty() || quantiles.size() > MAX_QUANTILES) {
            throw new IllegalArgumentException("quantiles must hold 1 to " + MAX_QUANTILES + " values, got " + quantiles);
        }
        double previous = 0;
        for (double q : quantiles) {
            if (!(q > previous && q < 1)) {
                throw new IllegalArgumentException("quantiles must be strictly increasing in (0,1), got " + quantiles);
            }
            previous = q;
        }
    }

    /**
     * Settings with the default rollback margins (plans written before they existed), each at most
     * the promotion margin's.
     */
    public Analysis(double alpha, double promotionRisk, double errorMarginRelative, double errorMarginAbsolute,
                    double latencyRatio, List<Double> quantiles) {
        this(alpha, promotionRisk, errorMarginRelative, errorMarginAbsolute, latencyRatio, quantiles,
                Math.max(1, Math.min(DEFAULT_ROLLBACK_ERROR_RATIO, 1 + errorMarginRelative)),
                Math.min(DEFAULT_ROLLBACK_ERROR_FLOOR, errorMarginAbsolute));
    }

    /** The error rate the canary may have next to a baseline at {@code baselineRate} to be promoted. */
    public double allowedErrorRate(double baselineRate) {
        return Math.min(1, baselineRate + Math.max(errorMarginRelative * baselineRate, errorMarginAbsolute));
    }

    /** A copy with another alpha. */
    public Analysis withAlpha(double newAlpha) {
        return new Analysis(newAlpha, promotionRisk, errorMarginRelative, errorMarginAbsolute, latencyRatio, quantiles,
                rollbackErrorRatio, rollbackErrorFloor);
    }

    /** A copy with another promotion risk. */
    public Analysis withPromotionRisk(double risk) {
        return new Analysis(alpha, risk, errorMarginRelative, errorMarginAbsolute, latencyRatio, quantiles,
                rollbackErrorRatio, rollbackErrorFloor);
    }

    /** A copy with other promotion error margins (the rollback margins stay). */
    public Analysis withErrorMargins(double relative, double absolute) {
        return new Analysis(alpha, promotionRisk, relative, absolute, latencyRatio, quantiles, rollbackErrorRatio,
                rollbackErrorFloor);
    }

    /** A copy with another latency ratio and quantiles. */
    public Analysis withLatency(double ratio, List<Double> newQuantiles) {
        return new Analysis(alpha, promotionRisk, errorMarginRelative, errorMarginAbsolute, ratio, newQuantiles,
                rollbackErrorRatio, rollbackErrorFloor);
    }

    /** A copy with other rollback margins. */
    public Analysis withRollbackMargins(double ratio, double floor) {
        return new Analysis(alpha, promotionRisk, errorMarginRelative, errorMarginAbsolute, latencyRatio, quantiles,
                ratio, floor);
    }

    private static void check(String field, double value, double min, double max) {
        if (Double.isNaN(value) || value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + (min == Double.MIN_VALUE ? "0 (exclusive)" : min)
                    + "," + max + "], got " + value);
        }
    }
}
