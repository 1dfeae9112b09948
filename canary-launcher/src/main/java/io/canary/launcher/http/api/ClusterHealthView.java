package io.canary.launcher.http.api;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /health/cluster}: health merged over every node that reported within the window
 * (percentiles of the merged distribution).
 */
public record ClusterHealthView(long at, List<String> nodes, Map<String, VersionStatsView> versions) {
}
