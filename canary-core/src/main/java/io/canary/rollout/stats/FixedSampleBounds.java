package io.canary.rollout.stats;

import java.util.function.DoublePredicate;

/**
 * Exact fixed-sample bounds from the binomial distribution, for the one look of a step that is not
 * sequential: the final analysis at its maximum duration, when the number of requests is set by the
 * traffic (independent of the outcomes) and the test is made once. Then the classical
 * intervals hold at their level without the price of looking at every health exchange that the
 * confidence sequences pay ({@code sqrt(2 ln(1/alpha))} and more, where a fixed sample needs
 * the normal quantile): at 10%, about 1.3 standard errors instead of about 3.
 *
 * <ul>
 *   <li>Rates: the one-sided Clopper-Pearson bounds (Clopper and Pearson, Biometrika 26(4), 1934),
 *       the rates at which the observed count is in the binomial tail of probability {@code beta}:
 *       {@code P(Bin(n, upper) <= s) = beta} and {@code P(Bin(n, lower) >= s) = beta}.</li>
 *   <li>Quantiles: the distribution-free order-statistic bounds (Thompson, Annals of Mathematical
 *       Statistics 7(3), 1936): the count of requests at most the true {@code q}-quantile is binomial
 *       with mean at least {@code qn}, so the critical counts of {@code Bin(n, q)} bound it (see
 *       {@link QuantileBounds#fixedSample}).</li>
 * </ul>
 * Each bound is exact (conservative for discrete counts), computed from
 * {@link SpecialFunctions#regularizedBeta}. Pure, thread-safe.
 */
public final class FixedSampleBounds {
    private FixedSampleBounds() {
    }

    /**
     * The one-sided upper bound of a rate at level {@code beta}: the true rate is above it with
     * probability at most {@code beta}. 1 when {@code s = n}.
     */
    public static double rateUpper(long s, long n, double beta) {
        check(s, n, beta);
        // P(Bin(n, p) <= s) falls as p rises: the least p where it is at most beta.
        return s >= n ? 1 : bisect(false, s / (double) n, 1, p -> lowerTail(s, n, p) <= beta);
    }

    /**
     * The one-sided lower bound of a rate at level {@code beta}: the true rate is below it with
     * probability at most {@code beta}. 0 when {@code s = 0}.
     */
    public static double rateLower(long s, long n, double beta) {
        check(s, n, beta);
        // P(Bin(n, p) >= s) rises with p: the greatest p where it is still below beta.
        return s == 0 ? 0 : bisect(false, s / (double) n, 0, p -> upperTail(s, n, p) < beta);
    }

    /**
     * The smallest count {@code k} with {@code P(Bin(n, q) >= k) <= beta}, or {@code n + 1} if even
     * {@code n} is not that unlikely.
     */
    public static long upperCritical(long n, double q, double beta) {
        checkQ(n, q, beta);
        // Counts up to floor(qn) have a tail of 1/2 or more: never critical for beta < 1/2.
        return upperTail(n, n, q) > beta ? n + 1
                : (long) bisect(true, Math.floor(q * n), n, k -> upperTail((long) k, n, q) <= beta);
    }

    /**
     * The largest count {@code k} with {@code P(Bin(n, q) <= k) <= beta}, or -1 if even 0 is not that
     * unlikely.
     */
    public static long lowerCritical(long n, double q, double beta) {
        checkQ(n, q, beta);
        // Counts from ceil(qn) on have P(Bin <= k) of 1/2 or more: never critical.
        return lowerTail(0, n, q) > beta ? -1 : (long) bisect(true, Math.ceil(q * n), 0, k -> lowerTail((long) k, n, q) <= beta);
    }

    /**
     * Bisection between a point where the monotone {@code holds} is false and one where it is true (in
     * either order; neither is evaluated): the end where it holds once the two are neighbouring whole
     * numbers ({@code counts}: a binary search over counts, both ends whole) or after 60 halvings.
     */
    private static double bisect(boolean counts, double no, double yes, DoublePredicate holds) {
        boolean whole = counts;
        double a = no;
        double b = yes;
        for (int i = 0; i < 64 && (whole ? Math.abs(b - a) > 1 : i < 60); i++) {
            double mid = whole ? Math.floor((a + b) / 2) : (a + b) / 2;
            if (holds.test(mid)) {
                b = mid;
            } else {
                a = mid;
            }
        }
        return b;
    }

    /** P(Bin(n, q) >= k) for 1 <= k <= n. */
    static double upperTail(long k, long n, double q) {
        return SpecialFunctions.regularizedBeta(q, k, n - k + 1);
    }

    /** P(Bin(n, q) <= k) for 0 <= k < n. */
    static double lowerTail(long k, long n, double q) {
        return 1 - SpecialFunctions.regularizedBeta(q, k + 1, n - k);
    }

    private static void check(long s, long n, double beta) {
        if (n < 1 || s < 0 || s > n) {
            throw new IllegalArgumentException("need 0 <= s <= n and n >= 1, got s=" + s + " n=" + n);
        }
        if (!(beta > 0 && beta < 0.5)) {
            throw new IllegalArgumentException("beta must be in (0, 0.5), got " + beta);
        }
    }

    private static void checkQ(long n, double q, double beta) {
        if (n < 1 || !(q > 0 && q < 1)) {
            throw new IllegalArgumentException("need n >= 1 and q in (0,1), got n=" + n + " q=" + q);
        }
        if (!(beta > 0 && beta < 0.5)) {
            throw new IllegalArgumentException("beta must be in (0, 0.5), got " + beta);
        }
    }
}
