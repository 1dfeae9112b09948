package io.canary.rollout.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ErrorShareTestTest {

    /**
     * Reference values computed independently (scipy: the numerator by numerical quadrature of the
     * binomial likelihoods against the prior densities, the denominator by Nelder-Mead over the null
     * region in log-odds coordinates), not from the closed forms used here.
     */
    @Test
    void theEvidenceMatchesAnIndependentNumericalComputation() {
        ErrorShareTest fivePercent = new ErrorShareTest(0.05);
        assertThat(fivePercent.logEvidence(60, 1000, 200, 20000, 1.2)).isCloseTo(38.86272731046938, within(1e-6));
        assertThat(fivePercent.logEvidence(30, 1000, 190, 19000, 1.2)).isCloseTo(7.46588542667314, within(1e-6));
        assertThat(fivePercent.logEvidence(27, 900, 171, 17100, 1.2)).isCloseTo(6.646066406437058, within(1e-6));
        assertThat(fivePercent.logEvidence(5, 100, 0, 1900, 1.2)).isCloseTo(5.430097099020543, within(1e-6));
        assertThat(new ErrorShareTest(0.25).logEvidence(40, 2500, 70, 7500, 1.5)).isCloseTo(-1.8507719813933363,
                within(1e-6));
    }

    @Test
    void countsThatAgreeWithTheNullGiveNoEvidence() {
        ErrorShareTest t = new ErrorShareTest(0.05);
        // 1.2% vs 1.05%: odds ratio 1.14, inside "at most 1.2 times" (the exact value is -2.19 <= 0)
        assertThat(t.logEvidence(12, 1000, 200, 19000, 1.2)).isLessThanOrEqualTo(0);
        assertThat(t.logEvidence(0, 1000, 200, 19000, 1.2)).isZero();
        assertThat(t.logEvidence(0, 0, 0, 0, 1.2)).isZero();
        // a canary as bad as 6% next to 1% is within "at most 10 times"
        assertThat(t.logEvidence(60, 1000, 200, 20000, 10)).isLessThanOrEqualTo(0);
    }

    @Test
    void evidenceGrowsWithTheEffectAndShrinksWithTheMargin() {
        ErrorShareTest t = new ErrorShareTest(0.05);
        assertThat(t.logEvidence(60, 1000, 200, 20000, 1.2)).isGreaterThan(t.logEvidence(40, 1000, 200, 20000, 1.2));
        assertThat(t.logEvidence(60, 1000, 200, 20000, 1.2)).isGreaterThan(t.logEvidence(60, 1000, 200, 20000, 2));
    }

    @Test
    void badInputIsNamed() {
        ErrorShareTest t = new ErrorShareTest(0.05);
        assertThatThrownBy(() -> t.logEvidence(5, 4, 0, 10, 1.2)).hasMessageContaining("canary");
        assertThatThrownBy(() -> t.logEvidence(0, 4, -1, 10, 1.2)).hasMessageContaining("baseline");
        assertThatThrownBy(() -> t.logEvidence(0, 4, 0, 10, 0.9)).hasMessageContaining("psi0");
        assertThatThrownBy(() -> new ErrorShareTest(0)).hasMessageContaining("expectedShare");
    }

    /**
     * The anytime-valid promise, checked empirically at the null's edge: a canary whose error odds
     * are exactly 1.2 times the baseline's, 600 req/s at a 5% share, watched every second for ten
     * minutes. The e-process may cross 1/alpha in at most alpha of the runs (alpha = 10% so that a
     * few hundred runs can see a violation); it is conservative, since the null's sup sits in the
     * denominator.
     */
    @Test
    void atTheEdgeOfTheNullItCrossesOneOverAlphaInAtMostAlphaOfRunsUnderContinuousMonitoring() {
        double alpha = 0.1;
        double pb = 0.01;
        double odds = 1.2 * pb / (1 - pb);
        double pc = odds / (1 + odds);
        ErrorShareTest t = new ErrorShareTest(0.05);
        SplittableRandom random = new SplittableRandom(11);
        int runs = 300;
        int crossed = 0;
        for (int run = 0; run < runs; run++) {
            long ec = 0, nc = 0, eb = 0, nb = 0;
            for (int s = 0; s < 600; s++) {
                for (int i = 0; i < 600; i++) {
                    if (random.nextDouble() < 0.05) {
                        nc++;
                        ec += random.nextDouble() < pc ? 1 : 0;
                    } else {
                        nb++;
                        eb += random.nextDouble() < pb ? 1 : 0;
                    }
                }
                if (t.logEvidence(ec, nc, eb, nb, 1.2) >= Math.log(1 / alpha)) {
                    crossed++;
                    break;
                }
            }
        }
        assertThat(crossed / (double) runs).as("runs crossing 1/alpha").isLessThanOrEqualTo(alpha);
    }

    /** And it has power: +2 points on a 1% baseline at the 5% step is caught within a couple of minutes. */
    @Test
    void twoPointsMoreErrorsAtTheFivePercentStepCrossWithinMinutes() {
        ErrorShareTest t = new ErrorShareTest(0.05);
        SplittableRandom random = new SplittableRandom(5);
        long ec = 0, nc = 0, eb = 0, nb = 0;
        int seconds = 0;
        while (seconds < 180 && t.logEvidence(ec, nc, eb, nb, 1.2) < Math.log(1 / 0.0036)) {
            seconds++;
            for (int i = 0; i < 600; i++) {
                if (random.nextDouble() < 0.05) {
                    nc++;
                    ec += random.nextDouble() < 0.03 ? 1 : 0;
                } else {
                    nb++;
                    eb += random.nextDouble() < 0.01 ? 1 : 0;
                }
            }
        }
        assertThat(seconds).isLessThan(180);
    }
}
