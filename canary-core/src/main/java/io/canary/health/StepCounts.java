package io.canary.health;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A node's traffic since the current rollout step began, per version: cumulative counts and
 * histogram buckets (never a sliding window), as the sequential judge needs them. Carried in every
 * {@link HealthSnapshot}; the coordinator adds up the latest of every node whose {@code key} is the
 * step it judges. Immutable.
 *
 * @param key names the step: rollout id, step index and weights of the committed state (see
 *     {@link #keyOf}); nodes that apply a step at slightly different times agree on it
 * @param since epoch milliseconds on the node's clock when it began counting this step
 * @param versions version name to its traffic since then, sorted by name
 * @param mirrors version name to the mirrored traffic it got since then (copies no user saw the answer
 *     of; what a shadow step is judged on), sorted by name; versions that got none are absent
 */
public record StepCounts(String key, long since, Map<String, VersionHealth> versions, Map<String, VersionHealth> mirrors) {

    /** No step counted yet. */
    public static final StepCounts NONE = new StepCounts("", 0, Map.of());

    public StepCounts {
        Objects.requireNonNull(key, "key");
        versions = Map.copyOf(new TreeMap<>(versions));
        mirrors = Map.copyOf(new TreeMap<>(mirrors));
    }

    /** Counts without mirrored traffic. */
    public StepCounts(String key, long since, Map<String, VersionHealth> versions) {
        this(key, since, versions, Map.of());
    }

    /** The mirrored traffic one version got; empty if none. */
    public VersionHealth mirror(String version) {
        VersionHealth h = mirrors.get(version);
        return h != null ? h : VersionHealth.empty(version);
    }

    /** The step key of a committed state: rollout id, step index and weights in basis points. */
    public static String keyOf(io.canary.model.RoutingState state) {
        return state.rollout().id() + "#" + state.rollout().stepIndex() + "@" + state.weights().asBasisPoints();
    }

    /** The traffic of one version; empty if it saw none. */
    public VersionHealth version(String version) {
        VersionHealth h = versions.get(version);
        return h != null ? h : VersionHealth.empty(version);
    }
}
