package io.canary.health;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A node's health over its sliding window, per version, as sent to its peers every health
 * interval. Immutable.
 *
 * @param nodeId the node that measured it
 * @param takenAt epoch milliseconds on that node's clock
 * @param windowMillis the length of the window the counts cover
 * @param versions version name to its health, sorted by name
 */
public record HealthSnapshot(String nodeId, long takenAt, long windowMillis, Map<String, VersionHealth> versions) {

    public HealthSnapshot {
        Objects.requireNonNull(nodeId, "nodeId");
        versions = Map.copyOf(new TreeMap<>(versions));
        if (windowMillis < 0) {
            throw new IllegalArgumentException("windowMillis must be >= 0, got " + windowMillis);
        }
    }

    /** The health of one version; empty if it saw no traffic. */
    public VersionHealth version(String version) {
        VersionHealth h = versions.get(version);
        return h != null ? h : VersionHealth.empty(version);
    }
}
