package io.canary.health;

/**
 * A version's health reduced to the numbers people read and thresholds compare: what a verdict
 * quotes and the API shows. Immutable.
 *
 * @param version the version name
 * @param requests requests in the window
 * @param errors failed requests in the window
 * @param errorRate errors / requests, 0 with no requests
 * @param p50Ms median latency in milliseconds
 * @param p95Ms 95th percentile latency in milliseconds
 * @param p99Ms 99th percentile latency in milliseconds
 */
public record VersionStats(String version, long requests, long errors, double errorRate,
                           double p50Ms, double p95Ms, double p99Ms) {
}
