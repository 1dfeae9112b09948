package io.canary.net.internal;

import java.time.Duration;
import java.util.Random;

/**
 * Capped exponential backoff with jitter: initial, 2x, 4x ... up to max, each shortened by a
 * random fraction up to {@code jitter} so that peers restarted together do not retry in lockstep.
 * Not thread-safe: one per peer link.
 */
final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final double jitter;
    private final Random random;
    private int failures;

    Backoff(Duration initial, Duration max, double jitter, Random random) {
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.jitter = jitter;
        this.random = random;
    }

    /** The delay before the next attempt, in milliseconds (at least 1). */
    long nextDelayMillis() {
        int shift = Math.min(failures, 30);
        long base = Math.min(maxMillis, initialMillis << shift);
        if (base < 0 || (initialMillis << shift) >>> shift != initialMillis) {
            base = maxMillis;
        }
        failures++;
        long delay = Math.round(base * (1 - jitter * random.nextDouble()));
        return Math.max(1, delay);
    }

    /** After a success: the next failure starts again from the initial delay. */
    void reset() {
        failures = 0;
    }
}
