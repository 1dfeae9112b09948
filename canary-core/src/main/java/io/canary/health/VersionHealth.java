package io.canary.health;

import java.util.Objects;

/**
 * One version's traffic over a health window: request and error counts and the latency histogram.
 * Mergeable across nodes and windows. Immutable.
 *
 * @param version the version name
 * @param requests requests recorded (successes and errors)
 * @param errors requests that failed
 * @param latency latency distribution of all requests
 */
public record VersionHealth(String version, long requests, long errors, HistogramSnapshot latency) {

    public VersionHealth {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(latency, "latency");
        if (requests < 0 || errors < 0 || errors > requests) {
            throw new IllegalArgumentException("need 0 <= errors <= requests, got errors=" + errors + " requests=" + requests);
        }
    }

    /** No traffic for a version. */
    public static VersionHealth empty(String version) {
        return new VersionHealth(version, 0, 0, HistogramSnapshot.EMPTY);
    }

    /** Errors over requests; 0 with no requests. */
    public double errorRate() {
        return requests == 0 ? 0 : errors / (double) requests;
    }

    /** The numbers people read and thresholds compare: counts, error rate, p50/p95/p99 in ms. */
    public VersionStats stats() {
        return new VersionStats(version, requests, errors, errorRate(), latency.percentileMillis(0.50),
                latency.percentileMillis(0.95), latency.percentileMillis(0.99));
    }

    /** The sum of this and another window or node for the same version. */
    public VersionHealth merge(VersionHealth other) {
        if (!version.equals(other.version)) {
            throw new IllegalArgumentException("cannot merge health of " + version + " with " + other.version);
        }
        return new VersionHealth(version, requests + other.requests, errors + other.errors, latency.merge(other.latency));
    }
}
