package io.canary.net.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delaysDoubleUpToTheCapAndStartOverAfterASuccess() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0, new Random(1));
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            delays.add(b.nextDelayMillis());
        }
        assertThat(delays).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);
        b.reset();
        assertThat(b.nextDelayMillis()).isEqualTo(100L);
    }

    @Test
    void jitterShortensEachDelayByAtMostItsFractionAndSpreadsThem() {
        Backoff b = new Backoff(Duration.ofMillis(1000), Duration.ofMillis(1000), 0.2, new Random(7));
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            delays.add(b.nextDelayMillis());
        }
        assertThat(delays).allSatisfy(d -> assertThat(d).isBetween(800L, 1000L));
        assertThat(delays.stream().distinct().count()).as("spread, not lockstep").isGreaterThan(50);
    }

    @Test
    void manyFailuresNeverOverflowPastTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofHours(1), 0, new Random(1));
        long last = 0;
        for (int i = 0; i < 100; i++) {
            last = b.nextDelayMillis();
            assertThat(last).isPositive().isLessThanOrEqualTo(3_600_000L);
        }
        assertThat(last).isEqualTo(3_600_000L);
    }
}
