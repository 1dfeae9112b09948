package io.canary.rollout;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What a healthy canary must satisfy; each bound is optional (empty = not checked). Immutable.
 *
 * @param maxErrorRate canary error rate must be at most this (0..1)
 * @param maxErrorRateDelta canary error rate must be at most baseline error rate plus this (0..1)
 * @param maxP95Ms canary p95 latency must be at most this many milliseconds
 * @param maxP95Ratio canary p95 must be at most baseline p95 times this (&gt; 0)
 */
public record Thresholds(OptionalDouble maxErrorRate, OptionalDouble maxErrorRateDelta,
                         OptionalDouble maxP95Ms, OptionalDouble maxP95Ratio) {

    /** No bound at all: every analysis with enough traffic passes. */
    public static final Thresholds NONE = new Thresholds(OptionalDouble.empty(), OptionalDouble.empty(),
            OptionalDouble.empty(), OptionalDouble.empty());

    public Thresholds {
        Objects.requireNonNull(maxErrorRate, "maxErrorRate");
        Objects.requireNonNull(maxErrorRateDelta, "maxErrorRateDelta");
        Objects.requireNonNull(maxP95Ms, "maxP95Ms");
        Objects.requireNonNull(maxP95Ratio, "maxP95Ratio");
        check("maxErrorRate", maxErrorRate, 0, 1);
        check("maxErrorRateDelta", maxErrorRateDelta, 0, 1);
        check("maxP95Ms", maxP95Ms, 0, Double.MAX_VALUE);
        check("maxP95Ratio", maxP95Ratio, Double.MIN_VALUE, Double.MAX_VALUE);
    }

    private static void check(String field, OptionalDouble value, double min, double max) {
        if (value.isPresent()) {
            double v = value.getAsDouble();
            if (Double.isNaN(v) || v < min || v > max) {
                throw new IllegalArgumentException(field + " must be in [" + min + "," + max + "], got " + v);
            }
        }
    }
}
