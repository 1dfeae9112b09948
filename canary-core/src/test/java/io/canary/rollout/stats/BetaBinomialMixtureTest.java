package io.canary.rollout.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BetaBinomialMixtureTest {
    private final BetaBinomialMixture mixture = new BetaBinomialMixture(1000, 0.01);

    /** ln C(n, s) from exact integers. */
    private static double logBinomial(int n, int s) {
        BigInteger c = BigInteger.ONE;
        for (int i = 0; i < s; i++) {
            c = c.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        }
        return Math.log(c.doubleValue());
    }

    @Test
    void underAUniformPriorTheMixtureIsOneOverNPlusOneTimesTheBinomialLikelihood() {
        // ∫ q^s (1-q)^(n-s) dq = 1 / ((n+1) C(n,s)): the mixture is 1 / ((n+1) C(n,s) p^s (1-p)^(n-s)).
        int[][] cases = {{0, 10}, {3, 10}, {10, 10}, {7, 100}, {50, 100}, {31, 400}};
        for (int[] c : cases) {
            int s = c[0];
            int n = c[1];
            for (double p : new double[] {0.01, 0.1, 0.5, 0.93}) {
                double expected = -(Math.log(n + 1) + logBinomial(n, s) + s * Math.log(p) + (n - s) * Math.log(1 - p));
                assertThat(BetaBinomialMixture.logMixture(s, n, p, 1, 1)).as("s=%d n=%d p=%s", s, n, p)
                        .isCloseTo(expected, within(1e-9));
            }
        }
    }

    @Test
    void theMixtureEqualsTheProductOfPredictiveOverNullProbabilitiesObservationByObservation() {
        // Sequential form of the same martingale: M_n = prod_i P_pred(x_i | x_<i) / P_p(x_i), with the
        // Beta(a, b) posterior predictive (a + S) / (a + b + i). Computed independently of logBeta.
        SplittableRandom random = new SplittableRandom(3);
        double p = 0.02;
        double r = mixture.concentration(p);
        double a = r / (1 - p);
        double b = r / p;
        double logM = 0;
        long s = 0;
        for (int i = 0; i < 3000; i++) {
            boolean one = random.nextDouble() < 0.035;
            double predictOne = (a + s) / (a + b + i);
            logM += one ? Math.log(predictOne / p) : Math.log((1 - predictOne) / (1 - p));
            s += one ? 1 : 0;
            if (i % 500 == 499) {
                assertThat(mixture.logMartingale(s, i + 1, p)).as("after %d", i + 1).isCloseTo(logM, within(1e-8));
            }
        }
    }

    @Test
    void theConcentrationIsConfseqsNormalMixtureOptimum() {
        // rho = v / (2 ln(1/alpha) + ln(1 + 2 ln(1/alpha))), v = p(1-p) nOpt; r = rho - p(1-p)
        double p = 0.3;
        double l = Math.log(100);
        double rho = p * (1 - p) * 1000 / (2 * l + Math.log(1 + 2 * l));
        assertThat(mixture.concentration(p)).isCloseTo(rho - p * (1 - p), within(1e-12));
    }

    @Test
    void theIntervalHoldsTheMeanAndItsEndsAreWhereTheMartingaleCrossesOneOverAlpha() {
        double alpha = 0.001;
        BetaBinomialMixture.Interval i = mixture.interval(27, 900, alpha);
        assertThat(i.contains(0.03)).isTrue();
        double threshold = Math.log(1 / alpha);
        assertThat(mixture.logMartingale(27, 900, i.lower())).isCloseTo(threshold, within(1e-6));
        assertThat(mixture.logMartingale(27, 900, i.upper())).isCloseTo(threshold, within(1e-6));
        assertThat(mixture.logMartingale(27, 900, i.lower() * 0.98)).isGreaterThan(threshold);
        assertThat(mixture.logMartingale(27, 900, i.upper() * 1.02)).isGreaterThan(threshold);
        // narrower with more data, wider at a stricter level
        assertThat(width(mixture.interval(270, 9000, alpha))).isLessThan(width(i));
        assertThat(width(mixture.interval(27, 900, alpha / 10))).isGreaterThan(width(i));
        // no data: everything; all ones or zeros: one end stays at the edge
        assertThat(mixture.interval(0, 0, alpha)).isEqualTo(new BetaBinomialMixture.Interval(0, 1));
        assertThat(mixture.interval(0, 500, alpha).lower()).isZero();
        assertThat(mixture.interval(500, 500, alpha).upper()).isEqualTo(1);
    }

    private static double width(BetaBinomialMixture.Interval i) {
        return i.upper() - i.lower();
    }

    /**
     * The defining property, checked empirically: monitored after every observation, the true rate
     * leaves the confidence sequence in at most alpha of the runs (Ville's inequality), unlike a
     * fixed-n interval, which under continuous monitoring is missed far more often.
     */
    @Test
    void monitoredAfterEveryObservationTheTrueRateIsMissedInAtMostAlphaOfTheRuns() {
        double alpha = 0.05;
        double threshold = Math.log(1 / alpha);
        SplittableRandom random = new SplittableRandom(11);
        int runs = 1000;
        int n = 1000;
        int missed = 0;
        int missedByFixedN = 0;
        for (double p : new double[] {0.01, 0.2}) {
            for (int run = 0; run < runs; run++) {
                long s = 0;
                boolean miss = false;
                boolean fixedMiss = false;
                for (int t = 1; t <= n && !(miss && fixedMiss); t++) {
                    s += random.nextDouble() < p ? 1 : 0;
                    miss = miss || mixture.logMartingale(s, t, p) >= threshold;
                    // the normal-approximation 95% interval checked at every t ("peeking")
                    double mean = s / (double) t;
                    double half = 1.96 * Math.sqrt(Math.max(mean * (1 - mean), 1e-12) / t);
                    fixedMiss = fixedMiss || (t >= 30 && Math.abs(mean - p) > half);
                }
                missed += miss ? 1 : 0;
                missedByFixedN += fixedMiss ? 1 : 0;
            }
        }
        double rate = missed / (2.0 * runs);
        assertThat(rate).as("runs whose true rate left the sequence").isLessThanOrEqualTo(alpha);
        assertThat(missedByFixedN / (2.0 * runs)).as("peeking at a fixed-n interval").isGreaterThan(3 * alpha);
    }
}
