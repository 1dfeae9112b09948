package io.canary.launcher.http;

import io.canary.ClusterHealth;
import io.canary.health.HealthSnapshot;
import io.canary.health.VersionHealth;
import io.canary.launcher.http.api.ClusterHealthView;
import io.canary.launcher.http.api.HealthView;
import io.canary.launcher.http.api.VersionStatsView;
import io.javalin.http.Context;
import java.util.Map;
import java.util.TreeMap;

/** {@code /health}, {@code /health/cluster} and {@code /metrics}. */
final class HealthHandlers {
    private final NodeApi node;
    private final MetricsRenderer metrics;

    HealthHandlers(NodeApi node, NodeCounters counters) {
        this.node = node;
        this.metrics = new MetricsRenderer(node, counters);
    }

    void node(Context ctx) {
        HealthSnapshot h = node.health();
        ctx.json(new HealthView(h.nodeId(), h.takenAt(), h.windowMillis(), stats(h.versions())));
    }

    void cluster(Context ctx) {
        ClusterHealth h = node.clusterHealth();
        ctx.json(new ClusterHealthView(h.at(), h.nodes(), stats(h.versions())));
    }

    void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render());
    }

    private static Map<String, VersionStatsView> stats(Map<String, VersionHealth> versions) {
        Map<String, VersionStatsView> m = new TreeMap<>();
        versions.forEach((v, h) -> m.put(v, VersionStatsView.of(h.stats())));
        return m;
    }
}
