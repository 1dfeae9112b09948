package io.canary.rollout.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.canary.health.HistogramLayout;
import io.canary.health.HistogramSnapshot;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Reference values: scipy.stats (beta.ppf for Clopper-Pearson, binom.cdf / binom.sf for the critical counts). */
class FixedSampleBoundsTest {

    @Test
    void clopperPearsonBoundsMatchScipy() {
        // s, n, beta, lower, upper: scipy.stats.beta.ppf(beta, s, n-s+1), beta.ppf(1-beta, s+1, n-s)
        double[][] table = {
            {7, 675, 0.025, 0.004179307613561554, 0.02124959787239535},
            {0, 100, 0.05, 0, 0.029513049607039925},
            {100, 100, 0.05, 0.9704869503929601, 1},
            {297, 27_000, 0.025, 0.009790209608558009, 0.012316676139536265},
            {5130, 513_000, 0.025, 0.009729520754377944, 0.010276034530850197},
            {3, 10, 0.1, 0.11582527802976303, 0.551730832383599},
        };
        for (double[] row : table) {
            long s = (long) row[0];
            long n = (long) row[1];
            assertThat(FixedSampleBounds.rateLower(s, n, row[2])).as("lower %s", java.util.Arrays.toString(row))
                    .isCloseTo(row[3], within(1e-10));
            assertThat(FixedSampleBounds.rateUpper(s, n, row[2])).as("upper %s", java.util.Arrays.toString(row))
                    .isCloseTo(row[4], within(1e-10));
        }
    }

    @Test
    void binomialCriticalCountsMatchScipy() {
        // n, q, beta, largest k with binom.cdf(k) <= beta, smallest k with binom.sf(k-1) <= beta
        double[][] table = {
            {1000, 0.99, 0.025, 982, 997},
            {27_000, 0.99, 0.025, 26_697, 26_763},
            {513_000, 0.99, 0.025, 507_729, 508_010},
            {500, 0.5, 0.1, 235, 265},
            {50, 0.9, 0.025, 40, 50},
            // 120 requests cannot bound a p99 from above: even all 120 below is not unlikely (0.99^120 = 0.30)
            {120, 0.99, 0.025, 115, 121},
        };
        for (double[] row : table) {
            long n = (long) row[0];
            assertThat(FixedSampleBounds.lowerCritical(n, row[1], row[2])).as("lower %s", java.util.Arrays.toString(row))
                    .isEqualTo((long) row[3]);
            assertThat(FixedSampleBounds.upperCritical(n, row[1], row[2])).as("upper %s", java.util.Arrays.toString(row))
                    .isEqualTo((long) row[4]);
        }
    }

    @Test
    void aQuantileWithTooFewRequestsHasNoUpperBound() {
        long[] counts = new long[HistogramLayout.BUCKET_COUNT];
        counts[HistogramLayout.indexOf(100_000_000L)] = 120;
        QuantileBounds.Bounds b = QuantileBounds.fixedSample(HistogramSnapshot.ofCounts(counts), 0.99, 0.025);
        assertThat(b.upper()).isInfinite();
        assertThat(b.lower()).isGreaterThan(95).isLessThanOrEqualTo(100);
    }

    /** One look per sample, as the final look is: each one-sided bound misses the truth in at most beta of samples. */
    @Test
    void oneLookBoundsMissTheTruthInAtMostBetaOfSamples() {
        SplittableRandom random = new SplittableRandom(11);
        double beta = 0.1;
        int samples = 2000;
        int rateMisses = 0;
        int quantileMisses = 0;
        double trueP90 = 100 * Math.exp(0.5 * 1.2815515655446004); // lognormal(median 100 ms, sigma 0.5)
        for (int i = 0; i < samples; i++) {
            int n = 300;
            long errors = 0;
            long[] counts = new long[HistogramLayout.BUCKET_COUNT];
            for (int j = 0; j < n; j++) {
                errors += random.nextDouble() < 0.02 ? 1 : 0;
                double z = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
                counts[HistogramLayout.indexOf((long) (100e6 * Math.exp(0.5 * z)))]++;
            }
            rateMisses += FixedSampleBounds.rateUpper(errors, n, beta) < 0.02 ? 1 : 0;
            quantileMisses += QuantileBounds.fixedSample(HistogramSnapshot.ofCounts(counts), 0.9, beta).upper() < trueP90 ? 1 : 0;
        }
        // expected at most 200 each (conservative for discrete counts); 240 is four standard deviations above
        assertThat(rateMisses).isBetween(60, 240);
        assertThat(quantileMisses).isBetween(60, 240);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> FixedSampleBounds.rateUpper(5, 4, 0.1)).hasMessageContaining("0 <= s <= n");
        assertThatThrownBy(() -> FixedSampleBounds.rateUpper(1, 4, 0.6)).hasMessageContaining("beta");
        assertThatThrownBy(() -> FixedSampleBounds.upperCritical(10, 1, 0.1)).hasMessageContaining("q in (0,1)");
    }
}
