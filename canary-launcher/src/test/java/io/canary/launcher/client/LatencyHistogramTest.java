package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void percentilesAreWithinHalfAPercentOfTheExactValue() {
        Random random = new Random(7);
        LatencyHistogram h = new LatencyHistogram();
        long[] nanos = new long[50_000];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = (long) (Math.exp(random.nextGaussian() * 1.5 + 10) * 1000); // ~22 ms median, long tail
            h.record(nanos[i]);
        }
        Arrays.sort(nanos);
        for (double q : new double[] {0.5, 0.95, 0.99}) {
            double exactMs = nanos[(int) Math.ceil(q * nanos.length) - 1] / 1e6;
            assertThat(h.percentileMillis(q)).as("p" + q).isCloseTo(exactMs, within(exactMs * 0.005 + 0.001));
        }
        assertThat(h.count()).isEqualTo(50_000);
    }

    @Test
    void anEmptyHistogramReportsZero() {
        assertThat(new LatencyHistogram().percentileMillis(0.99)).isZero();
    }
}
