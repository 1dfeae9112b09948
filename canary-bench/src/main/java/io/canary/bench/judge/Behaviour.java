package io.canary.bench.judge;

import java.util.SplittableRandom;

/**
 * How a version answers: log-normal latency (median, sigma), an error rate, and optionally a slow
 * tail (a share of requests {@code tailFactor} times slower). Immutable; sampling takes the caller's random.
 */
record Behaviour(double errorRate, double medianMs, double sigma, double tailShare, double tailFactor) {

    static Behaviour of(double errorRate, double medianMs, double sigma) {
        return new Behaviour(errorRate, medianMs, sigma, 0, 1);
    }

    /** The same mean with the spread of log-latency doubled: the median drops to keep the mean. */
    Behaviour twiceTheSpread() {
        double s2 = 2 * sigma;
        return new Behaviour(errorRate, medianMs * Math.exp(sigma * sigma / 2 - s2 * s2 / 2), s2, tailShare, tailFactor);
    }

    Behaviour slower(double factor) {
        return new Behaviour(errorRate, medianMs * factor, sigma, tailShare, tailFactor);
    }

    Behaviour withErrors(double rate) {
        return new Behaviour(rate, medianMs, sigma, tailShare, tailFactor);
    }

    Behaviour withTail(double share, double factor) {
        return new Behaviour(errorRate, medianMs, sigma, share, factor);
    }

    long latencyNanos(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
        double ms = medianMs * Math.exp(sigma * z);
        if (tailShare > 0 && random.nextDouble() < tailShare) {
            ms *= tailFactor;
        }
        return (long) (ms * 1e6);
    }

    boolean ok(SplittableRandom random) {
        return random.nextDouble() >= errorRate;
    }
}
