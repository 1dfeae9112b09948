package io.canary.launcher.http;

import io.canary.health.HealthSnapshot;
import io.canary.health.HistogramLayout;
import io.canary.health.HistogramSnapshot;
import io.canary.health.VersionHealth;
import io.canary.model.RoutingState;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code /metrics} in the Prometheus text format (version 0.0.4). The latency histogram is this
 * node's sliding health window folded into fixed {@code le} bounds: a bucket of the health
 * histogram counts under the first bound its upper edge does not exceed.
 */
final class MetricsRenderer {
    /** Bucket bounds in seconds, as Prometheus' default latency buckets plus a few. */
    static final double[] LE_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final NodeApi node;
    private final NodeCounters counters;

    MetricsRenderer(NodeApi node, NodeCounters counters) {
        this.node = node;
        this.counters = counters;
    }

    String render() {
        StringBuilder out = new StringBuilder(4096);
        String n = label("node", node.id());
        RoutingState state = node.state();
        HealthSnapshot health = node.health();

        header(out, "canary_routing_state_version", "gauge", "Version of the committed routing state this node routes on.");
        out.append("canary_routing_state_version{").append(n).append("} ").append(state.version()).append('\n');
        header(out, "canary_routing_weight", "gauge", "Committed traffic share per version (0..1).");
        for (Map.Entry<String, Double> e : state.weights().asMap().entrySet()) {
            out.append("canary_routing_weight{").append(n).append(',').append(label("version", e.getKey())).append("} ")
                    .append(number(e.getValue())).append('\n');
        }
        header(out, "canary_rollout_percent", "gauge", "Current canary percentage of the rollout (0 when none).");
        out.append("canary_rollout_percent{").append(n).append(',').append(label("canary", state.rollout().canary()))
                .append(',').append(label("phase", state.rollout().phase().name())).append("} ")
                .append(state.rollout().currentPercent()).append('\n');
        header(out, "canary_ready", "gauge", "1 once the node replayed its log and synced with the coordinator.");
        out.append("canary_ready{").append(n).append("} ").append(node.isReady() ? 1 : 0).append('\n');

        TreeSet<String> versions = new TreeSet<>(state.weights().versions());
        versions.addAll(health.versions().keySet());
        counters.versions().forEach(versions::add);

        header(out, "canary_requests_total", "counter", "Requests served by this data plane per version since start.");
        for (String v : versions) {
            out.append("canary_requests_total{").append(n).append(',').append(label("version", v)).append("} ")
                    .append(counters.requests(v)).append('\n');
        }
        header(out, "canary_request_errors_total", "counter", "Failed requests per version since start.");
        for (String v : versions) {
            out.append("canary_request_errors_total{").append(n).append(',').append(label("version", v)).append("} ")
                    .append(counters.errors(v)).append('\n');
        }
        header(out, "canary_window_requests", "gauge", "Requests per version over the health window.");
        for (String v : versions) {
            out.append("canary_window_requests{").append(n).append(',').append(label("version", v)).append("} ")
                    .append(health.version(v).requests()).append('\n');
        }
        header(out, "canary_window_errors", "gauge", "Failed requests per version over the health window.");
        for (String v : versions) {
            out.append("canary_window_errors{").append(n).append(',').append(label("version", v)).append("} ")
                    .append(health.version(v).errors()).append('\n');
        }
        header(out, "canary_request_latency_seconds", "histogram",
                "Latency per version over the health window (" + health.windowMillis() + " ms).");
        for (String v : versions) {
            histogram(out, n + "," + label("version", v), health.version(v));
        }
        header(out, "canary_commits_total", "counter", "Routing states this node committed or synced since start.");
        out.append("canary_commits_total{").append(n).append("} ").append(counters.commits()).append('\n');
        header(out, "canary_aborts_total", "counter", "Transactions this node saw abort since start.");
        out.append("canary_aborts_total{").append(n).append("} ").append(counters.aborts()).append('\n');
        header(out, "canary_rollbacks_total", "counter", "Rollouts rolled back or aborted since start.");
        out.append("canary_rollbacks_total{").append(n).append("} ").append(counters.rollbacks()).append('\n');
        return out.toString();
    }

    private static void histogram(StringBuilder out, String labels, VersionHealth h) {
        HistogramSnapshot latency = h.latency();
        long[] cumulative = new long[LE_SECONDS.length];
        long total = 0;
        double sumSeconds = 0;
        for (int i = 0; i < latency.length(); i++) {
            long c = latency.count(i);
            if (c == 0) {
                continue;
            }
            total += c;
            sumSeconds += c * HistogramLayout.representativeNanos(i) / 1e9;
            double upperSeconds = HistogramLayout.upperBoundNanos(i) / 1e9;
            for (int b = 0; b < LE_SECONDS.length; b++) {
                if (upperSeconds <= LE_SECONDS[b] + 1e-12) {
                    cumulative[b] += c;
                }
            }
        }
        for (int b = 0; b < LE_SECONDS.length; b++) {
            out.append("canary_request_latency_seconds_bucket{").append(labels).append(",le=\"")
                    .append(number(LE_SECONDS[b])).append("\"} ").append(cumulative[b]).append('\n');
        }
        out.append("canary_request_latency_seconds_bucket{").append(labels).append(",le=\"+Inf\"} ").append(total).append('\n');
        out.append("canary_request_latency_seconds_sum{").append(labels).append("} ").append(number(sumSeconds)).append('\n');
        out.append("canary_request_latency_seconds_count{").append(labels).append("} ").append(total).append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String label(String name, String value) {
        String escaped = value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        return name + "=\"" + escaped + "\"";
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }
}
