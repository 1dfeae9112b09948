package io.canary.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    private static final double[] QUANTILES = {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0};
    private static final int SAMPLES = 200_000;

    @Test
    void percentilesOfUniformLatenciesAreWithinThreePercent() {
        Random r = new Random(1);
        assertPercentilesWithinThreePercent(() -> 1_000 + (long) (r.nextDouble() * 2_000_000_000L));
    }

    @Test
    void percentilesOfLogNormalLatenciesAreWithinThreePercent() {
        Random r = new Random(2);
        // median 20 ms, long right tail reaching seconds
        assertPercentilesWithinThreePercent(() -> (long) (20e6 * Math.exp(1.2 * r.nextGaussian())));
    }

    @Test
    void percentilesOfBimodalLatenciesAreWithinThreePercent() {
        Random r = new Random(3);
        // 90% cache hits near 0.3 ms, 10% misses near 250 ms
        assertPercentilesWithinThreePercent(() -> r.nextDouble() < 0.9
                ? (long) (300_000 + 50_000 * r.nextGaussian())
                : (long) (250e6 + 40e6 * r.nextGaussian()));
    }

    @Test
    void percentilesAtTheEdgesOfTheRangeAreWithinThreePercent() {
        Random r = new Random(4);
        long[] edges = {1_000, 1_001, 1_023, 1_024, 1_500, 59_999_999_999L, 60_000_000_000L, 33_000_000_000L};
        assertPercentilesWithinThreePercent(() -> edges[r.nextInt(edges.length)]);
    }

    @Test
    void latenciesOutsideTheRangeClampToItsEnds() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(0);
        h.record(-5);
        h.record(999);
        HistogramSnapshot low = h.snapshot();
        assertThat(low.percentileMillis(1.0)).isEqualTo(0.001);

        LatencyHistogram high = new LatencyHistogram();
        high.record(Long.MAX_VALUE);
        high.record(3_600_000_000_000L);
        assertThat(high.snapshot().percentileMillis(0.0)).isCloseTo(60_000.0, within(60_000.0 * 0.03));
        assertThat(high.snapshot().percentileMillis(0.0)).isLessThanOrEqualTo(60_000.0);
        assertThat(high.snapshot().totalCount()).isEqualTo(2);
    }

    @Test
    void everyBucketHoldsExactlyTheValuesBetweenItsBoundsAndReportsWithinThreePercent() {
        for (int i = HistogramLayout.indexOf(HistogramLayout.MIN_NANOS); i < HistogramLayout.BUCKET_COUNT; i++) {
            long lower = Math.max(HistogramLayout.MIN_NANOS, HistogramLayout.lowerBoundNanos(i));
            long upper = Math.min(HistogramLayout.MAX_NANOS + 1, HistogramLayout.upperBoundNanos(i));
            assertThat(HistogramLayout.indexOf(lower)).as("lower bound of bucket %d", i).isEqualTo(i);
            assertThat(HistogramLayout.indexOf(upper - 1)).as("last value of bucket %d", i).isEqualTo(i);
            double rep = HistogramLayout.representativeNanos(i);
            assertThat(Math.abs(rep - lower) / lower).isLessThanOrEqualTo(0.03);
            assertThat(Math.abs(rep - (upper - 1)) / (upper - 1)).isLessThanOrEqualTo(0.03);
        }
        assertThat(HistogramLayout.BUCKET_COUNT).as("fixed memory: buckets per histogram").isLessThan(1_000);
    }

    @Test
    void anEmptyHistogramReportsZero() {
        assertThat(new LatencyHistogram().snapshot().percentileMillis(0.95)).isZero();
        assertThat(HistogramSnapshot.EMPTY.percentileMillis(0.5)).isZero();
    }

    @Test
    void aQuantileOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> HistogramSnapshot.EMPTY.percentileMillis(95))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("95");
    }

    @Test
    void mergingTwoHistogramsEqualsRecordingEverythingIntoOne() {
        Random r = new Random(5);
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        LatencyHistogram all = new LatencyHistogram();
        for (int i = 0; i < 50_000; i++) {
            long fast = (long) (5e6 * Math.exp(0.5 * r.nextGaussian()));
            long slow = (long) (400e6 * Math.exp(0.8 * r.nextGaussian()));
            a.record(fast);
            all.record(fast);
            if (i % 3 == 0) {
                b.record(slow);
                all.record(slow);
            }
        }
        HistogramSnapshot merged = a.snapshot().merge(b.snapshot());
        assertThat(merged).isEqualTo(all.snapshot());
        assertThat(merged.totalCount()).isEqualTo(50_000 + 16_667);
        assertThat(merged.percentileMillis(0.95)).isEqualTo(all.snapshot().percentileMillis(0.95));
    }

    @Test
    void concurrentRecordingFromSeveralThreadsLosesNoCount() throws InterruptedException {
        LatencyHistogram h = new LatencyHistogram();
        int threads = 4;
        int perThread = 250_000;
        CountDownLatch go = new CountDownLatch(1);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            long latency = 1_000_000L * (t + 1); // each thread its own bucket, all threads one bucket too
            workers[t] = new Thread(() -> {
                awaitQuietly(go);
                for (int i = 0; i < perThread; i++) {
                    h.record(i % 2 == 0 ? latency : 7_000_000L);
                }
            });
            workers[t].start();
        }
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        HistogramSnapshot s = h.snapshot();
        assertThat(s.totalCount()).isEqualTo((long) threads * perThread);
        assertThat(s.count(HistogramLayout.indexOf(7_000_000L))).isEqualTo((long) threads * perThread / 2);
        assertThat(s.count(HistogramLayout.indexOf(1_000_000L))).isEqualTo(perThread / 2);
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void assertPercentilesWithinThreePercent(LongSupplier latencies) {
        LatencyHistogram h = new LatencyHistogram();
        long[] exact = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            long v = Math.max(HistogramLayout.MIN_NANOS, Math.min(HistogramLayout.MAX_NANOS, latencies.getAsLong()));
            exact[i] = v;
            h.record(v);
        }
        Arrays.sort(exact);
        HistogramSnapshot s = h.snapshot();
        assertThat(s.totalCount()).isEqualTo(SAMPLES);
        for (double q : QUANTILES) {
            int rank = (int) Math.max(1, Math.ceil(q * SAMPLES - 1e-9));
            double exactMs = exact[rank - 1] / 1e6;
            assertThat(s.percentileMillis(q)).as("p%s", q * 100).isCloseTo(exactMs, within(exactMs * 0.03));
        }
    }
}
