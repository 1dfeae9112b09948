package io.canary.rollout.stats;

import io.canary.health.HistogramLayout;
import io.canary.health.HistogramSnapshot;

/**
 * A time-uniform confidence sequence for one quantile of a latency distribution, read off a
 * histogram's buckets: the fixed-quantile construction of Howard and Ramdas, "Sequential
 * estimation of quantiles with applications to A/B-testing and best-arm identification"
 * (Bernoulli 28(3), 2022, Theorem 1 and section 4; confseq's {@code QuantileABTest}), with the
 * beta-binomial mixture of {@link BetaBinomialMixture} as the boundary.
 *
 * <p>Why it is valid: let {@code Q} be the true {@code q}-quantile. The indicators "a request took
 * at most {@code Q}" are Bernoulli with mean at least {@code q} (exactly {@code q} for a continuous
 * distribution), so the martingale of the null {@code q}, fed with the count {@code S(x)} of
 * requests at most {@code x}, stays below {@code 1/alpha} at {@code x = Q} forever with probability
 * {@code 1 - alpha}. {@code ln M(S)} is convex in {@code S} with its minimum near {@code qn}, and
 * {@code S(x)} grows with {@code x}; so any {@code x} whose count is below {@code qn} and already
 * rejected must lie below {@code Q} (it counts fewer than {@code Q} does), and symmetrically above.
 * The bounds hold for every {@code x} and every {@code n} at once: one event of probability
 * {@code alpha} per quantile, not one per bucket.
 *
 * <p>Buckets are {@link HistogramLayout}'s (at most 1/32 wide): the lower bound is a bucket's upper
 * edge, the upper bound a bucket's lower edge, so the histogram's resolution never makes a bound
 * tighter than the data allow.
 *
 * <p>Pure and stateless; thread-safe.
 */
public final class QuantileBounds {
    private final BetaBinomialMixture mixture;

    public QuantileBounds(BetaBinomialMixture mixture) {
        this.mixture = mixture;
    }

    /**
     * Bounds on the {@code q}-quantile in milliseconds at level {@code alpha}: lower 0 when the data
     * cannot exclude any latency below, upper {@link Double#POSITIVE_INFINITY} when they cannot
     * exclude any above (too few requests for this quantile, e.g. fewer than ~1/(1-q) for a tail).
     */
    public Bounds bounds(HistogramSnapshot h, double q, double alpha) {
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("q must be in (0,1), got " + q);
        }
        long n = h.totalCount();
        if (n == 0) {
            return new Bounds(0, Double.POSITIVE_INFINITY, n);
        }
        double threshold = Math.log(1 / alpha);
        // Counts of "recordings below x" that the test rejects: at most sLow, or at least sHigh.
        return walk(h, largestRejectedBelow(n, q, threshold), smallestRejectedAbove(n, q, threshold));
    }

    /**
     * Fixed-sample bounds on the {@code q}-quantile in milliseconds, each side at level {@code beta}:
     * for one look at a sample whose size does not depend on the outcomes (the final analysis of a
     * step), not for repeated looks. The count of requests below the true quantile is binomial with
     * mean at most {@code qn} (at or below it, at least {@code qn}), so the critical counts of
     * {@code Bin(n, q)} ({@link FixedSampleBounds#lowerCritical}, {@link FixedSampleBounds#upperCritical})
     * bound it as the confidence sequence's rejected counts do, read off the same bucket edges.
     */
    public static Bounds fixedSample(HistogramSnapshot h, double q, double beta) {
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("q must be in (0,1), got " + q);
        }
        long n = h.totalCount();
        if (n == 0) {
            return new Bounds(0, Double.POSITIVE_INFINITY, n);
        }
        return walk(h, FixedSampleBounds.lowerCritical(n, q, beta), FixedSampleBounds.upperCritical(n, q, beta));
    }

    /**
     * The bounds given the rejected counts: the quantile lies above a bucket with at most {@code sLow}
     * recordings below it, and at or below an edge with at least {@code sHigh} recordings under it.
     */
    private static Bounds walk(HistogramSnapshot h, long sLow, long sHigh) {
        long n = h.totalCount();
        double lower = 0;
        double upper = Double.POSITIVE_INFINITY;
        long before = 0; // recordings in the buckets below the one looked at
        int previous = -1; // the last non-empty bucket seen
        for (int i = 0; i <= h.length(); i++) {
            boolean end = i == h.length();
            if (!end && h.count(i) == 0) {
                continue;
            }
            if (before >= sHigh) {
                // More recordings below than the quantile allows: it is at most where they end.
                upper = HistogramLayout.upperBoundNanos(previous) / 1e6;
                break;
            }
            if (!end && before <= sLow) {
                // Too few recordings below bucket i for the quantile to be there: it lies above.
                lower = HistogramLayout.lowerBoundNanos(i) / 1e6;
            }
            if (!end) {
                before += h.count(i);
                previous = i;
            }
        }
        return new Bounds(lower, upper, n);
    }

    /** The largest count below {@code qn} that the test rejects (ln M decreases there), or -1. */
    private long largestRejectedBelow(long n, double q, double threshold) {
        long hi = (long) Math.ceil(q * n) - 1; // the largest integer strictly below qn
        if (hi < 0 || mixture.logMartingale(0, n, q) < threshold) {
            return -1;
        }
        long lo = 0; // rejected
        while (lo < hi) {
            long mid = (lo + hi + 1) >>> 1;
            if (mixture.logMartingale(mid, n, q) >= threshold) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The smallest count above {@code qn} that the test rejects (ln M increases there), or n + 1. */
    private long smallestRejectedAbove(long n, double q, double threshold) {
        long lo = (long) Math.floor(q * n) + 1; // the smallest integer strictly above qn
        if (lo > n || mixture.logMartingale(n, n, q) < threshold) {
            return n + 1;
        }
        long hi = n; // rejected
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (mixture.logMartingale(mid, n, q) >= threshold) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return hi;
    }

    /**
     * Bounds on a quantile in milliseconds.
     *
     * @param lower the quantile is above this (0: no evidence)
     * @param upper the quantile is at most this (infinity: no evidence)
     * @param requests the observations they rest on
     */
    public record Bounds(double lower, double upper, long requests) {
    }
}
