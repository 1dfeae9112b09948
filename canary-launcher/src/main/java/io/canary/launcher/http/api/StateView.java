package io.canary.launcher.http.api;

import io.canary.model.RoutingState;
import java.util.Map;

/**
 * {@code GET /routing/state}: the committed state a node routes on. Identical on every node once
 * committed.
 *
 * @param version grows by one per commit
 * @param status always {@code COMMITTED}
 * @param weights version to share in [0,1], sorted by version name
 * @param baseline the stable version
 * @param txId the transaction that committed it (0 for the initial state)
 * @param committedAt epoch milliseconds at the coordinator (0 for the initial state)
 * @param rollout where the rollout stands (phase {@code NONE} when none ran)
 */
public record StateView(long version, String status, Map<String, Double> weights, String baseline, long txId,
                        long committedAt, RolloutView rollout) {

    public static StateView of(RoutingState s) {
        return new StateView(s.version(), s.status().name(), s.weights().asMap(), s.baseline(), s.txId(),
                s.committedAt(), RolloutView.of(s.rollout()));
    }
}
