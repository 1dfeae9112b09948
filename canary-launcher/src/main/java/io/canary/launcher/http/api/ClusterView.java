package io.canary.launcher.http.api;

import java.util.List;

/**
 * {@code GET /cluster}: every member as the answering node sees it.
 *
 * @param coordinator who the node believes coordinates now; empty while an election runs
 * @param term the node's current term (0 before the first election)
 * @param failSafe true while the node routes every request to the baseline (no valid lease)
 * @param failSafeReason why, in one line; empty when not fail-safe
 */
public record ClusterView(String node, String coordinator, List<MemberView> nodes, long term, boolean failSafe,
                          String failSafeReason) {

    public ClusterView {
        coordinator = coordinator == null ? "" : coordinator;
        nodes = nodes == null ? List.of() : nodes;
        failSafeReason = failSafeReason == null ? "" : failSafeReason;
    }
}
