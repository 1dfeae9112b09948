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
 */
public record StepCounts(String key, long since, Map<String, VersionHealth> versions) {

    /** No step counted yet. */
    public static final StepCounts NONE = new StepCounts("", 0, Map.of());

    public StepCounts {
        Objects.requireNonNull(key, "key");
        versions = Map.copyOf(new TreeMap<>(versions));
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
