package io.canary.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VersionWindowTest {
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final VersionWindow window = new VersionWindow("v2", Duration.ofSeconds(30), 6, clock::get);

    /** Moves time on second by second, reading each second like the node's health timer does. */
    private void advanceSeconds(int seconds) {
        for (int i = 0; i < seconds; i++) {
            clock.addAndGet(1_000);
            window.rotate();
        }
    }

    private void record(int n, long latencyNanos, boolean ok) {
        for (int i = 0; i < n; i++) {
            window.record(latencyNanos, ok);
        }
    }

    @Test
    void trafficOlderThanTheWindowDropsOutOneSubWindowAtATime() {
        record(10, 5_000_000, true);          // sub-window starting at t=0
        advanceSeconds(5);
        record(20, 50_000_000, false);        // sub-window starting at t=5 s
        advanceSeconds(24);                   // t=29 s: both still inside the 30 s window
        VersionHealth full = window.snapshot();
        assertThat(full.requests()).isEqualTo(30);
        assertThat(full.errors()).isEqualTo(20);

        advanceSeconds(1);                    // t=30 s: the first sub-window has left the window
        VersionHealth later = window.snapshot();
        assertThat(later.requests()).isEqualTo(20);
        assertThat(later.errorRate()).isEqualTo(1.0);
        assertThat(later.stats().p50Ms()).isBetween(50 * 0.97, 50 * 1.03);

        advanceSeconds(5);                    // t=35 s: so has the second
        assertThat(window.snapshot().requests()).isZero();
        assertThat(window.snapshot().latency().totalCount()).isZero();
    }

    @Test
    void aWindowReadRarelyIsShorterButNeverOlderThanItsLength() {
        record(10, 5_000_000, true);
        clock.addAndGet(60_000);              // nobody read for a minute
        VersionHealth h = window.snapshot();
        assertThat(h.requests()).isZero();
        record(3, 5_000_000, true);
        assertThat(window.snapshot().requests()).isEqualTo(3);
    }

    @Test
    void truncateRestartsTheWindowEmpty() {
        record(10, 5_000_000, false);
        advanceSeconds(2);
        window.truncate();
        long truncatedAt = clock.get();
        record(4, 9_000_000, true);
        advanceSeconds(3);
        VersionHealth h = window.snapshot();
        assertThat(h.requests()).isEqualTo(4);
        assertThat(h.errors()).isZero();
        assertThat(window.lastWindowStart()).isEqualTo(truncatedAt);
        advanceSeconds(40);
        assertThat(window.snapshot().requests()).as("the truncated window still slides").isZero();
    }

    @Test
    void windowArgumentsAreValidatedByName() {
        assertThatThrownBy(() -> new VersionWindow("v1", Duration.ofSeconds(30), 0, clock::get))
                .hasMessageContaining("subWindows").hasMessageContaining("0");
        assertThatThrownBy(() -> new VersionWindow("v1", Duration.ofMillis(3), 6, clock::get))
                .hasMessageContaining("window").hasMessageContaining("PT0.003S");
    }
}
