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
 * @param versions version name to its health from real traffic (routed to users), sorted by name
 * @param mirrors version name to the health of mirrored traffic sent to it (copies of requests
 *     whose answer no user saw; see {@link HealthRecorder#recordMirror}), kept apart from
 *     {@code versions} so that a copy never counts as user traffic; only versions that received
 *     mirrored requests in the window appear
 * @param step the node's cumulative real traffic of the current rollout step (not windowed), which
 *     the sequential judge reads
 */
public record HealthSnapshot(String nodeId, long takenAt, long windowMillis, Map<String, VersionHealth> versions,
                             Map<String, VersionHealth> mirrors, StepCounts step) {

    public HealthSnapshot {
        Objects.requireNonNull(nodeId, "nodeId");
        versions = Map.copyOf(new TreeMap<>(versions));
        mirrors = Map.copyOf(new TreeMap<>(mirrors));
        Objects.requireNonNull(step, "step");
        if (windowMillis < 0) {
            throw new IllegalArgumentException("windowMillis must be >= 0, got " + windowMillis);
        }
    }

    /** A snapshot without mirrored traffic. */
    public HealthSnapshot(String nodeId, long takenAt, long windowMillis, Map<String, VersionHealth> versions) {
        this(nodeId, takenAt, windowMillis, versions, Map.of(), StepCounts.NONE);
    }

    /** A snapshot without step counts. */
    public HealthSnapshot(String nodeId, long takenAt, long windowMillis, Map<String, VersionHealth> versions,
                          Map<String, VersionHealth> mirrors) {
        this(nodeId, takenAt, windowMillis, versions, mirrors, StepCounts.NONE);
    }

    /** The health of the traffic mirrored to one version; empty if none was. */
    public VersionHealth mirror(String version) {
        VersionHealth h = mirrors.get(version);
        return h != null ? h : VersionHealth.empty(version);
    }

    /** The health of one version; empty if it saw no traffic. */
    public VersionHealth version(String version) {
        VersionHealth h = versions.get(version);
        return h != null ? h : VersionHealth.empty(version);
    }
}
