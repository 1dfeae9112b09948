package io.canary.launcher.http.api;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /health/cluster}: health merged over every node that reported within the window
 * (percentiles of the merged distribution).
 */
public record ClusterHealthView(long at, List<String> nodes, Map<String, VersionStatsView> versions) {
    public ClusterHealthView {
        nodes = nodes == null ? List.of() : nodes;
        versions = versions == null ? Map.of() : versions;
    }

    /** The numbers of {@code name}, empty if no node reported it. */
    public VersionStatsView version(String name) {
        VersionStatsView s = versions.get(name);
        return s != null ? s : VersionStatsView.EMPTY;
    }
}
