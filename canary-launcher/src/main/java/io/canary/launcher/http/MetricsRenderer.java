package io.canary.launcher.http;

import io.canary.health.HealthSnapshot;
import io.canary.model.RoutingState;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code /metrics} in the Prometheus text format (version 0.0.4), following Prometheus' conventions:
 * counters ({@code _total}) and the latency histogram {@code canary_request_latency_seconds} are
 * cumulative since the node started, so {@code rate()} and {@code histogram_quantile()} work; the
 * sliding health window the rollout analysis judges is exported as gauges of their own
 * ({@code canary_window_*}), whose values may fall as the window rolls.
 */
final class MetricsRenderer {
    /** Bucket bounds in seconds of {@code canary_request_latency_seconds}. */
    static final double[] LE_SECONDS = CumulativeLatency.LE_SECONDS;
    private static final int[] WINDOW_PERCENTILES = {50, 95, 99};

    private final NodeApi node;
    private final NodeCounters counters;

    MetricsRenderer(NodeApi node, NodeCounters counters) {
        this.node = node;
        this.counters = counters;
    }

    String render() {
        StringBuilder out = new StringBuilder(8192);
        String n = label("node", node.id());
        RoutingState state = node.state();
        HealthSnapshot health = node.health();
        io.canary.CoordinationStatus coordination = node.coordination();

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
        rolloutVerdicts(out, n);
        header(out, "canary_ready", "gauge", "1 once the node replayed its log and synced with the coordinator.");
        out.append("canary_ready{").append(n).append("} ").append(node.isReady() ? 1 : 0).append('\n');
        header(out, "canary_coordinator", "gauge", "1 if this node believes it coordinates the cluster now.");
        out.append("canary_coordinator{").append(n).append("} ").append(coordination.isCoordinator(node.id()) ? 1 : 0).append('\n');
        header(out, "canary_coordination_term", "gauge", "This node's current coordination term.");
        out.append("canary_coordination_term{").append(n).append("} ").append(coordination.term()).append('\n');
        header(out, "canary_fail_safe", "gauge", "1 while this node routes the canary's share to the baseline (no valid lease).");
        out.append("canary_fail_safe{").append(n).append("} ").append(coordination.failSafe() ? 1 : 0).append('\n');

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
        header(out, "canary_request_latency_seconds", "histogram", "Request latency per version since start.");
        for (String v : versions) {
            histogram(out, n + "," + label("version", v), counters.latency(v));
        }
        long windowMs = health.windowMillis();
        header(out, "canary_window_requests", "gauge", "Requests per version over the sliding health window (" + windowMs + " ms).");
        for (String v : versions) {
            out.append("canary_window_requests{").append(n).append(',').append(label("version", v)).append("} ")
                    .append(health.version(v).requests()).append('\n');
        }
        header(out, "canary_window_errors", "gauge", "Failed requests per version over the sliding health window.");
        for (String v : versions) {
            out.append("canary_window_errors{").append(n).append(',').append(label("version", v)).append("} ")
                    .append(health.version(v).errors()).append('\n');
        }
        header(out, "canary_window_error_ratio", "gauge", "Error rate per version over the sliding health window (0..1).");
        for (String v : versions) {
            out.append("canary_window_error_ratio{").append(n).append(',').append(label("version", v)).append("} ")
                    .append(number(finite(health.version(v).stats().errorRate()))).append('\n');
        }
        // One gauge per percentile: a "quantile" label belongs to summaries only (promtool says so).
        for (int q = 0; q < WINDOW_PERCENTILES.length; q++) {
            String name = "canary_window_latency_p" + WINDOW_PERCENTILES[q] + "_seconds";
            header(out, name, "gauge", "p" + WINDOW_PERCENTILES[q]
                    + " latency per version over the sliding health window, as the rollout analysis sees it.");
            for (String v : versions) {
                io.canary.health.VersionStats st = health.version(v).stats();
                double ms = q == 0 ? st.p50Ms() : q == 1 ? st.p95Ms() : st.p99Ms();
                out.append(name).append('{').append(n).append(',').append(label("version", v)).append("} ")
                        .append(number(finite(ms) / 1000.0)).append('\n');
            }
        }
        header(out, "canary_commits_total", "counter", "Routing states this node committed or synced since start.");
        out.append("canary_commits_total{").append(n).append("} ").append(counters.commits()).append('\n');
        header(out, "canary_aborts_total", "counter", "Transactions this node saw abort since start.");
        out.append("canary_aborts_total{").append(n).append("} ").append(counters.aborts()).append('\n');
        header(out, "canary_rollbacks_total", "counter", "Rollouts rolled back or aborted since start.");
        out.append("canary_rollbacks_total{").append(n).append("} ").append(counters.rollbacks()).append('\n');
        counters.renderMore(out, n);
        return out.toString();
    }

    private static double finite(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? 0 : v;
    }

    private static void histogram(StringBuilder out, String labels, CumulativeLatency.Snapshot h) {
        long[] cumulative = h.cumulative();
        for (int b = 0; b < LE_SECONDS.length; b++) {
            out.append("canary_request_latency_seconds_bucket{").append(labels).append(",le=\"")
                    .append(number(LE_SECONDS[b])).append("\"} ").append(cumulative[b]).append('\n');
        }
        out.append("canary_request_latency_seconds_bucket{").append(labels).append(",le=\"+Inf\"} ").append(h.count()).append('\n');
        out.append("canary_request_latency_seconds_sum{").append(labels).append("} ").append(number(h.sumSeconds())).append('\n');
        out.append("canary_request_latency_seconds_count{").append(labels).append("} ").append(h.count()).append('\n');
    }

    static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /**
     * The rollout's last published verdict, with its reason as a label (an info-style gauge, 1), and the
     * step's cumulative requests and errors the coordinator's latest analysis saw per version.
     */
    private void rolloutVerdicts(StringBuilder out, String n) {
        io.canary.RolloutStatus status = node.rolloutStatus();
        java.util.List<io.canary.rollout.Verdict> verdicts = status.verdicts();
        header(out, "canary_rollout_verdict_info", "gauge", "The rollout's last verdict (1), its decision and reason as labels.");
        if (!verdicts.isEmpty()) {
            io.canary.rollout.Verdict v = verdicts.get(verdicts.size() - 1);
            out.append("canary_rollout_verdict_info{").append(n).append(',').append(label("rollout", status.info().id()))
                    .append(',').append(label("step", String.valueOf(v.stepIndex()))).append(',')
                    .append(label("decision", v.decision().name())).append(',').append(label("reason", v.reason()))
                    .append("} 1\n");
        }
        java.util.Optional<io.canary.rollout.Verdict> analysis = status.analysis();
        header(out, "canary_rollout_step_requests", "gauge",
                "Requests of the current step the coordinator's latest analysis judged, per version (cumulative over the step, every node).");
        analysis.ifPresent(a -> stepSamples(out, n, "canary_rollout_step_requests", a, true));
        header(out, "canary_rollout_step_errors", "gauge", "Failed requests among canary_rollout_step_requests.");
        analysis.ifPresent(a -> stepSamples(out, n, "canary_rollout_step_errors", a, false));
    }

    private static void stepSamples(StringBuilder out, String n, String name, io.canary.rollout.Verdict a, boolean requests) {
        for (io.canary.health.VersionStats s : java.util.List.of(a.baseline(), a.canary())) {
            out.append(name).append('{').append(n).append(',').append(label("version", s.version() == null ? "" : s.version()))
                    .append("} ").append(requests ? s.requests() : s.errors()).append('\n');
        }
    }

    static String label(String name, String value) {
        String escaped = value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        return name + "=\"" + escaped + "\"";
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }
}
