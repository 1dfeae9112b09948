package io.canary.launcher.http.api;

import io.canary.model.RoutingState;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /routing/state}: the committed state a node routes on, and the answer to every
 * change. Identical on every node once committed. The server writes it and the client reads it
 * (one contract); fields an older node lacks are read as their empty value.
 *
 * @param version grows by one per commit
 * @param status always {@code COMMITTED}
 * @param weights version to share in [0,1], sorted by version name
 * @param baseline the stable version
 * @param txId the transaction that committed it (0 for the initial state)
 * @param committedAt epoch milliseconds at the coordinator (0 for the initial state)
 * @param rollout where the rollout stands (phase {@code NONE} when none ran)
 */
public record StateView(long version, RoutingState.Status status, Map<String, Double> weights, String baseline,
                        long txId, long committedAt, RolloutView rollout) {

    public StateView {
        status = status == null ? RoutingState.Status.COMMITTED : status;
        weights = weights == null ? Map.of() : weights;
        baseline = baseline == null ? "" : baseline;
        rollout = rollout == null ? RolloutView.NONE : rollout;
    }

    public static StateView of(RoutingState s) {
        return new StateView(s.version(), s.status(), s.weights().asMap(), s.baseline(), s.txId(),
                s.committedAt(), RolloutView.of(s.rollout()));
    }

    /** What must be equal on every node once a state is committed everywhere. */
    public String agreementKey() {
        return "v" + version + " " + status + " " + new TreeMap<>(weights);
    }
}
