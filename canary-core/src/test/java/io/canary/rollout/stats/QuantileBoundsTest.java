package io.canary.rollout.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.health.HistogramLayout;
import io.canary.health.HistogramSnapshot;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuantileBoundsTest {
    private final QuantileBounds bounds = new QuantileBounds(new BetaBinomialMixture(1000, 0.01));

    private static long[] lognormal(SplittableRandom random, int n, double medianMs, double sigma, long[] into) {
        for (int i = 0; i < n; i++) {
            double u = 1 - random.nextDouble();
            double z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
            into[HistogramLayout.indexOf((long) (medianMs * Math.exp(sigma * z) * 1e6))]++;
        }
        return into;
    }

    @Test
    void theBoundsBracketTheTrueQuantileAndNarrowWithData() {
        SplittableRandom random = new SplittableRandom(5);
        long[] counts = new long[HistogramLayout.BUCKET_COUNT];
        // true p90 of lognormal(median 100 ms, sigma 0.5) = 100 e^{0.5 * 1.2816} = 189.8 ms
        double truth = 100 * Math.exp(0.5 * 1.2815516);
        lognormal(random, 2_000, 100, 0.5, counts);
        QuantileBounds.Bounds few = bounds.bounds(HistogramSnapshot.ofCounts(counts), 0.9, 0.01);
        lognormal(random, 50_000, 100, 0.5, counts);
        QuantileBounds.Bounds many = bounds.bounds(HistogramSnapshot.ofCounts(counts), 0.9, 0.01);
        assertThat(few.lower()).isLessThan(truth);
        assertThat(few.upper()).isGreaterThan(truth);
        assertThat(many.lower()).isLessThan(truth).isGreaterThan(few.lower());
        assertThat(many.upper()).isGreaterThan(truth).isLessThan(few.upper());
        assertThat(many.upper() / many.lower()).isLessThan(1.1);
        assertThat(many.requests()).isEqualTo(52_000);
    }

    @Test
    void aTailQuantileHasNoUpperBoundUntilEnoughRequestsCouldLieAboveIt() {
        long[] counts = new long[HistogramLayout.BUCKET_COUNT];
        counts[HistogramLayout.indexOf(100_000_000)] = 50; // 50 requests of 100 ms
        QuantileBounds.Bounds b = bounds.bounds(HistogramSnapshot.ofCounts(counts), 0.99, 0.01);
        assertThat(b.upper()).isInfinite();
        assertThat(bounds.bounds(HistogramSnapshot.EMPTY, 0.5, 0.01).upper()).isInfinite();
        assertThat(bounds.bounds(HistogramSnapshot.EMPTY, 0.5, 0.01).lower()).isZero();
    }

    @Test
    void boundsAreBucketEdgesAroundAPointMass() {
        long[] counts = new long[HistogramLayout.BUCKET_COUNT];
        int bucket = HistogramLayout.indexOf(100_000_000);
        counts[bucket] = 5_000;
        QuantileBounds.Bounds b = bounds.bounds(HistogramSnapshot.ofCounts(counts), 0.5, 0.01);
        assertThat(b.lower()).isEqualTo(HistogramLayout.lowerBoundNanos(bucket) / 1e6);
        assertThat(b.upper()).isEqualTo(HistogramLayout.upperBoundNanos(bucket) / 1e6);
    }

    /** Checked at every batch of 20 requests, the true median leaves the bounds in at most alpha of the runs. */
    @Test
    void monitoredContinuouslyTheTrueQuantileIsMissedInAtMostAlphaOfTheRuns() {
        double alpha = 0.05;
        double q = 0.9;
        double truth = 100 * Math.exp(0.5 * 1.2815516);
        SplittableRandom random = new SplittableRandom(17);
        int runs = 200;
        int missed = 0;
        for (int run = 0; run < runs; run++) {
            long[] counts = new long[HistogramLayout.BUCKET_COUNT];
            for (int batch = 0; batch < 100; batch++) {
                lognormal(random, 20, 100, 0.5, counts);
                QuantileBounds.Bounds b = bounds.bounds(HistogramSnapshot.ofCounts(counts), q, alpha);
                if (b.lower() > truth || b.upper() < truth) {
                    missed++;
                    break;
                }
            }
        }
        assertThat(missed / (double) runs).isLessThanOrEqualTo(alpha);
    }
}
