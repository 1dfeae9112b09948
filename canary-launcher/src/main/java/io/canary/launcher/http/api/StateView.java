package io.canary.launcher.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.canary.CoordinationStatus;
import io.canary.WeightChange;
import io.canary.model.RoutingState;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /routing/state}: the committed state a node routes on, and the answer to every
 * change. Identical on every node once committed, unless a node routes fail-safe: {@code routed},
 * {@code failSafe} and {@code failSafeReason} say what this node routes now. Who coordinates, in
 * which term, is in {@code GET /cluster}. The server writes it and the client reads it
 * (one contract); fields an older node lacks are read as their empty value.
 *
 * @param version grows by one per commit
 * @param status always {@code COMMITTED}
 * @param weights version to share in [0,1], sorted by version name
 * @param baseline the stable version
 * @param txId the transaction that committed it (0 for the initial state)
 * @param committedAt epoch milliseconds at the coordinator (0 for the initial state)
 * @param rollout where the rollout stands (phase {@code NONE} when none ran)
 * @param routed the shares this node routes on now: the committed weights, or every request to the
 *     baseline while it is fail-safe
 * @param failSafe true while this node routes every request to the baseline because it has no valid
 *     lease (cut off from a majority-backed coordinator, or restarted and not yet current)
 * @param failSafeReason why, in one line; empty when not fail-safe
 * @param supersededBy only in the answer to {@code POST /routing/weights}: the later weight set that
 *     superseded this one while both were queued (coalescing: it rode in that one's transaction, and this
 *     is the committed state that carries it); empty, and left out of the JSON, otherwise
 */
public record StateView(long version, RoutingState.Status status, Map<String, Double> weights, String baseline,
                        long txId, long committedAt, RolloutView rollout, Map<String, Double> routed,
                        boolean failSafe, String failSafeReason,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) String supersededBy) {

    public StateView {
        status = status == null ? RoutingState.Status.COMMITTED : status;
        weights = weights == null ? Map.of() : weights;
        baseline = baseline == null ? "" : baseline;
        rollout = rollout == null ? RolloutView.NONE : rollout;
        routed = routed == null ? weights : routed;
        failSafeReason = failSafeReason == null ? "" : failSafeReason;
        supersededBy = supersededBy == null ? "" : supersededBy;
    }

    /** A state as {@code GET /routing/state} shows it (nothing superseded). */
    public StateView(long version, RoutingState.Status status, Map<String, Double> weights, String baseline,
                     long txId, long committedAt, RolloutView rollout, Map<String, Double> routed,
                     boolean failSafe, String failSafeReason) {
        this(version, status, weights, baseline, txId, committedAt, rollout, routed, failSafe, failSafeReason, "");
    }

    /** A committed state as a node that is not fail-safe routes it. */
    public StateView(long version, RoutingState.Status status, Map<String, Double> weights, String baseline,
                     long txId, long committedAt, RolloutView rollout) {
        this(version, status, weights, baseline, txId, committedAt, rollout, weights, false, "", "");
    }

    public static StateView of(RoutingState s) {
        return of(s, CoordinationStatus.unknown());
    }

    /** {@code s} as a node with coordination {@code c} routes it. */
    public static StateView of(RoutingState s, CoordinationStatus c) {
        Map<String, Double> weights = s.weights().asMap();
        Map<String, Double> routed = weights;
        if (c.failSafe()) {
            Map<String, Double> baselineOnly = new TreeMap<>();
            weights.keySet().forEach(v -> baselineOnly.put(v, 0.0));
            baselineOnly.put(s.baseline(), 1.0);
            routed = baselineOnly;
        }
        return new StateView(s.version(), s.status(), weights, s.baseline(), s.txId(),
                s.committedAt(), RolloutView.of(s.rollout()), routed, c.failSafe(), c.failSafeReason(), "");
    }

    /** The answer to a weight change: the state that carries it, and what superseded it if anything did. */
    public static StateView of(WeightChange change, CoordinationStatus c) {
        StateView s = of(change.committed(), c);
        return new StateView(s.version, s.status, s.weights, s.baseline, s.txId, s.committedAt, s.rollout, s.routed,
                s.failSafe, s.failSafeReason, change.supersededBy().orElse(""));
    }

    /** True if a later queued weight set superseded the change this answers. */
    public boolean superseded() {
        return !supersededBy.isEmpty();
    }

    /** What must be equal on every node once a state is committed everywhere. */
    public String agreementKey() {
        return "v" + version + " " + status + " " + new TreeMap<>(weights);
    }
}
