package io.canary;

import io.canary.health.VersionHealth;
import java.util.List;
import java.util.Map;

/**
 * Health merged across every node that reported within the window: per version, the sums of
 * counts and the merged latency histogram (a cluster p95 is the p95 of the merged distribution).
 *
 * @param at epoch milliseconds when it was computed
 * @param nodes the nodes whose snapshots were merged
 * @param versions version to merged health of real (user) traffic
 * @param mirrors version to merged health of mirrored traffic (copies no user saw the answer of),
 *     never mixed into {@code versions}
 */
public record ClusterHealth(long at, List<String> nodes, Map<String, VersionHealth> versions,
                            Map<String, VersionHealth> mirrors) {
    public ClusterHealth {
        nodes = List.copyOf(nodes);
        versions = Map.copyOf(versions);
        mirrors = Map.copyOf(mirrors);
    }

    /** Cluster health without mirrored traffic. */
    public ClusterHealth(long at, List<String> nodes, Map<String, VersionHealth> versions) {
        this(at, nodes, versions, Map.of());
    }

    /** The merged health of the traffic mirrored to one version; empty if none was. */
    public VersionHealth mirror(String version) {
        VersionHealth h = mirrors.get(version);
        return h != null ? h : VersionHealth.empty(version);
    }

    /** The merged health of one version; empty if no node saw traffic for it. */
    public VersionHealth version(String version) {
        VersionHealth h = versions.get(version);
        return h != null ? h : VersionHealth.empty(version);
    }
}
