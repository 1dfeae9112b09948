package io.canary.launcher.client;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code canary load} observed, per version as the nodes reported it ({@code X-Canary-Version}),
 * measured on the client: requests, errors (any non-2xx answer, e.g. a failing model's 502) and
 * latency percentiles. Requests that reached no node count as unreachable, per node. Thread-safe.
 */
public final class LoadStats {

    /** One version's client-side numbers. */
    public record VersionLoad(String version, long requests, long errors, double p50Ms, double p95Ms, double p99Ms) {
        public double errorRate() {
            return requests == 0 ? 0 : errors / (double) requests;
        }
    }

    private static final class Recorder {
        final LatencyHistogram latency = new LatencyHistogram();
        final AtomicLong errors = new AtomicLong();
    }

    private final Map<String, Recorder> versions = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> unreachable = new ConcurrentHashMap<>();
    private final Map<String, String> unreachableReasons = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();

    void sent() {
        sent.incrementAndGet();
    }

    void skipped() {
        skipped.incrementAndGet();
    }

    /** A node answered: {@code ok} for 2xx. */
    public void answered(String version, long latencyNanos, boolean ok) {
        Recorder r = versions.computeIfAbsent(version == null || version.isBlank() ? "unknown" : version, v -> new Recorder());
        r.latency.record(latencyNanos);
        if (!ok) {
            r.errors.incrementAndGet();
        }
    }

    /** A request reached no node. */
    public void unreachable(String nodeId, String reason) {
        unreachable.computeIfAbsent(nodeId, n -> new AtomicLong()).incrementAndGet();
        unreachableReasons.putIfAbsent(nodeId, reason);
    }

    public long sentCount() {
        return sent.get();
    }

    public long skippedCount() {
        return skipped.get();
    }

    /** Answers received, errors included. */
    public long answeredCount() {
        long n = 0;
        for (Recorder r : versions.values()) {
            n += r.latency.count();
        }
        return n;
    }

    public long errorCount() {
        long n = 0;
        for (Recorder r : versions.values()) {
            n += r.errors.get();
        }
        return n;
    }

    public long unreachableCount() {
        long n = 0;
        for (AtomicLong c : unreachable.values()) {
            n += c.get();
        }
        return n;
    }

    /** Per version, sorted by name. */
    public Map<String, VersionLoad> byVersion() {
        Map<String, VersionLoad> result = new TreeMap<>();
        versions.forEach((v, r) -> result.put(v, new VersionLoad(v, r.latency.count(), r.errors.get(),
                r.latency.percentileMillis(0.50), r.latency.percentileMillis(0.95), r.latency.percentileMillis(0.99))));
        return result;
    }

    /** {@code v1 95.1%, v2 4.9%} of the answers so far. */
    public String split() {
        long total = answeredCount();
        if (total == 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (VersionLoad v : byVersion().values()) {
            if (sb.length() > 0) {
                sb.append("  ");
            }
            sb.append(v.version()).append(' ').append(String.format(Locale.ROOT, "%.1f%%", 100.0 * v.requests() / total));
        }
        return sb.toString();
    }

    /** The table printed at the end of a run. */
    public String summary(double seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d requests sent in %.1fs (%.1f req/s), %d answered, %d errors, %d unreachable%n",
                sentCount(), seconds, seconds > 0 ? sentCount() / seconds : 0, answeredCount(), errorCount(), unreachableCount()));
        sb.append(String.format(Locale.ROOT, "%-10s %9s %8s %8s %10s %10s %10s%n", "version", "requests", "errors", "error%", "p50", "p95", "p99"));
        for (VersionLoad v : byVersion().values()) {
            sb.append(String.format(Locale.ROOT, "%-10s %9d %8d %8s %10s %10s %10s%n", v.version(), v.requests(), v.errors(),
                    Formats.percent(v.errorRate()), Formats.millis(v.p50Ms()), Formats.millis(v.p95Ms()), Formats.millis(v.p99Ms())));
        }
        new TreeMap<>(unreachable).forEach((node, count) -> sb.append("unreachable ").append(node).append(": ")
                .append(count.get()).append(" requests (").append(unreachableReasons.get(node)).append(")\n"));
        if (skippedCount() > 0) {
            sb.append("not sent: ").append(skippedCount())
                    .append(" (too many requests in flight: the nodes answer slower than the rate; raise --concurrency or lower --rps)\n");
        }
        return sb.toString();
    }
}
