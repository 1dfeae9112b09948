package io.canary.rollout.stats;

/**
 * An anytime-valid two-sample test of error rates: "the canary's error odds are at most
 * {@code psi0} times the baseline's", read as the canary's share of the errors given its share of
 * the successful requests, the conditional view of Lindon and Malek ("Anytime-Valid Inference for
 * Multinomial Count Data", NeurIPS 2022: the arms' shares of the events of time-inhomogeneous
 * counting processes, tested against their shares of the traffic), with the nuisance (the traffic share itself) handled by maximising it
 * away rather than assuming it.
 *
 * <p><b>The model.</b> Requests are independent; each goes to the canary with some probability
 * {@code pi} (the step's weight; it need not be known) and fails with probability {@code p_c} on
 * the canary, {@code p_b} on the baseline. The four counts (canary errors {@code e_c}, canary
 * successes {@code k_c}, baseline errors {@code e_b}, baseline successes {@code k_b}) are then
 * multinomial, and the likelihood factorises exactly into three binomials:
 * <pre>
 *   L = lambda^e (1-lambda)^k  x  theta^e_c (1-theta)^e_b  x  phi^k_c (1-phi)^k_b
 * </pre>
 * where {@code lambda} is the overall error rate, {@code theta} the share of the errors that are the
 * canary's and {@code phi} the share of the successes that are the canary's. The odds ratio of the
 * two error rates is {@code odds(theta) / odds(phi)}: so "canary error odds at most {@code psi0}
 * times the baseline's" is the region {@code H0 = {odds(theta) <= psi0 odds(phi)}}, free of
 * {@code lambda}.
 *
 * <p><b>The statistic.</b> A mixture of likelihoods over alternatives divided by the largest
 * likelihood the null allows:
 * <pre>
 *   R_n = [ BB(e_c | e; a, b)  x  BB(k_c | k; prior of phi) ] / sup_{(theta, phi) in H0} theta^e_c (1-theta)^e_b phi^k_c (1-phi)^k_b
 * </pre>
 * ({@code BB} the beta-binomial mixture of the binomial likelihood, without the binomial
 * coefficient, which cancels). For any true parameter in {@code H0}, {@code R_n} is at most the
 * mixture of likelihood ratios against that parameter, a nonnegative martingale with mean 1 in the
 * filtration of single requests (the {@code lambda} factor is the same above and below). So by
 * Ville's inequality {@code P(exists n: R_n >= 1/alpha) <= alpha}: an e-process, valid however
 * often it is looked at (the sequential "sup over the null" construction of Wasserman, Ramdas and
 * Balakrishnan, "Universal inference", PNAS 117(29), 2020, with the method of mixtures in the numerator
 * rather than a plug-in). It depends on the counts alone, so the cumulative merged counts of a
 * step are all it needs.
 *
 * <p><b>The priors</b> only decide how fast it is (as Lindon and Malek tune theirs: concentrate the
 * mixture on the effects that matter). {@code theta}: a beta prior centred where the canary's
 * error odds are {@link #ALTERNATIVE_ODDS_RATIO} times the baseline's at the expected traffic share,
 * spread {@link #LOGIT_SD} in log-odds (odds ratios of about 1.8 to 5 within one standard deviation:
 * +2 to +5 points on a 1% baseline). {@code phi}: a mixture of a beta prior centred on the expected
 * share, {@link #SHARE_RELATIVE_SD} wide (weight {@link #FOCUSED_SHARE_WEIGHT}), and a uniform one, so
 * a traffic share that differs from the weights (nodes in fail-safe, pinned users) only costs power,
 * never validity. Any fixed priors keep the guarantee.
 *
 * <p>Pure and stateless; thread-safe.
 */
public final class ErrorShareTest {
    /** The prior of the canary's share of the errors is centred on this error odds ratio. */
    public static final double ALTERNATIVE_ODDS_RATIO = 3;
    /** The spread of that prior in log-odds. */
    public static final double LOGIT_SD = 0.5;
    /** The relative standard deviation of the prior of the canary's share of the successes. */
    public static final double SHARE_RELATIVE_SD = 0.02;
    /** The weight of the focused prior of that share; the rest is uniform. */
    public static final double FOCUSED_SHARE_WEIGHT = 0.9;

    private final double thetaA;
    private final double thetaB;
    private final double phiA;
    private final double phiB;

    /**
     * @param expectedShare the share of the requests the canary is expected to get, in (0, 1): the
     *     priors' centre; a wrong value costs power, never validity
     */
    public ErrorShareTest(double expectedShare) {
        if (!(expectedShare > 0 && expectedShare < 1)) {
            throw new IllegalArgumentException("expectedShare must be in (0,1), got " + expectedShare);
        }
        double shareOdds = expectedShare / (1 - expectedShare);
        double alternativeOdds = ALTERNATIVE_ODDS_RATIO * shareOdds;
        double m = alternativeOdds / (1 + alternativeOdds);
        // A Beta(a, b) with mean m has a log-odds variance of about 1/a + 1/b = 1/(a(1-m)).
        this.thetaA = 1 / (LOGIT_SD * LOGIT_SD * (1 - m));
        this.thetaB = thetaA * (1 - m) / m;
        double kappa = (1 - expectedShare) / (expectedShare * SHARE_RELATIVE_SD * SHARE_RELATIVE_SD);
        this.phiA = kappa * expectedShare;
        this.phiB = kappa * (1 - expectedShare);
    }

    /**
     * ln R_n, the log of the evidence against "the canary's error odds are at most {@code psi0}
     * times the baseline's": 0 or less while the counts agree with that; reject at level alpha once
     * it reaches ln(1/alpha).
     *
     * @param canaryErrors canary's failed requests
     * @param canaryRequests canary's requests
     * @param baselineErrors baseline's failed requests
     * @param baselineRequests baseline's requests
     * @param psi0 the largest error odds ratio (canary over baseline) of the null, &gt;= 1
     * @throws IllegalArgumentException for impossible counts or psi0 below 1
     */
    public double logEvidence(long canaryErrors, long canaryRequests, long baselineErrors, long baselineRequests,
                              double psi0) {
        check(canaryErrors, canaryRequests, "canary");
        check(baselineErrors, baselineRequests, "baseline");
        if (!(psi0 >= 1) || Double.isInfinite(psi0)) {
            throw new IllegalArgumentException("psi0 must be finite and >= 1, got " + psi0);
        }
        long ec = canaryErrors;
        long eb = baselineErrors;
        long kc = canaryRequests - canaryErrors;
        long kb = baselineRequests - baselineErrors;
        long e = ec + eb;
        long k = kc + kb;
        if (ec == 0 || kc + kb == 0 || kb == 0) {
            // No canary error (nothing against the null), or no success of the baseline at all
            // (then any odds ratio fits): the unconstrained maximum is in H0.
            return 0;
        }
        double c = Math.log(psi0);
        // The unconstrained maximum (theta^, phi^) is in H0: R_n <= 1.
        if (ec < e && kc > 0 && logit(ec / (double) e) <= logit(kc / (double) k) + c) {
            return 0;
        }
        double u = boundaryMaximum(ec, e, kc, k, c);
        double denominator = logLik(ec, e, sigmoid(u + c)) + logLik(kc, k, sigmoid(u));
        double numerator = logBetaBinomial(ec, e, thetaA, thetaB) + logSumExp(
                Math.log(FOCUSED_SHARE_WEIGHT) + logBetaBinomial(kc, k, phiA, phiB),
                Math.log1p(-FOCUSED_SHARE_WEIGHT) + logBetaBinomial(kc, k, 1, 1));
        return numerator - denominator;
    }

    /**
     * The observed error odds ratio, canary over baseline: infinite when the baseline has no
     * error (or the canary no success), NaN with no canary error and no baseline error.
     */
    public static double observedOddsRatio(long canaryErrors, long canaryRequests, long baselineErrors, long baselineRequests) {
        double num = canaryErrors * (double) (baselineRequests - baselineErrors);
        double den = baselineErrors * (double) (canaryRequests - canaryErrors);
        return num / den;
    }

    /**
     * The maximum of the null's log-likelihood on its boundary {@code logit(theta) = u + c,
     * logit(phi) = u}: concave in {@code u}, its derivative {@code (e_c + k_c) - e sigma(u + c) - k sigma(u)}
     * decreasing, so bisection on the derivative's sign.
     */
    private static double boundaryMaximum(long ec, long e, long kc, long k, double c) {
        double lo = -60;
        double hi = 60;
        double target = ec + kc;
        for (int i = 0; i < 100; i++) {
            double u = (lo + hi) / 2;
            double slope = target - e * sigmoid(u + c) - k * sigmoid(u);
            if (slope > 0) {
                lo = u;
            } else {
                hi = u;
            }
        }
        return (lo + hi) / 2;
    }

    /** ln of the beta-binomial mixture of p^s (1-p)^(n-s) under p ~ Beta(a, b). */
    static double logBetaBinomial(long s, long n, double a, double b) {
        return SpecialFunctions.logBeta(s + a, n - s + b) - SpecialFunctions.logBeta(a, b);
    }

    /** s ln p + (n-s) ln(1-p), a zero count contributing nothing. */
    private static double logLik(long s, long n, double p) {
        double l = 0;
        if (s > 0) {
            l += s * Math.log(p);
        }
        if (n - s > 0) {
            l += (n - s) * Math.log1p(-p);
        }
        return l;
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    private static double logSumExp(double x, double y) {
        double m = Math.max(x, y);
        return m + Math.log(Math.exp(x - m) + Math.exp(y - m));
    }

    private static void check(long errors, long requests, String who) {
        if (errors < 0 || errors > requests) {
            throw new IllegalArgumentException("need 0 <= errors <= requests for the " + who + ", got " + errors + " of "
                    + requests);
        }
    }
}
