package io.canary.launcher.http.api;

import io.canary.health.VersionStats;

/** One version's numbers over a health window. */
public record VersionStatsView(long requests, long errors, double errorRate, double p50Ms, double p95Ms, double p99Ms) {
    /** A version without requests in the window. */
    public static final VersionStatsView EMPTY = new VersionStatsView(0, 0, 0, 0, 0, 0);

    public static VersionStatsView of(VersionStats s) {
        return new VersionStatsView(s.requests(), s.errors(), round(s.errorRate()), round(s.p50Ms()), round(s.p95Ms()),
                round(s.p99Ms()));
    }

    /** Six significant decimals: enough for any reader, and no {@code 0.30000000000000004}. */
    static double round(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return 0;
        }
        return Math.round(v * 1_000_000d) / 1_000_000d;
    }
}
