package io.canary.launcher.http.api;

import java.util.List;

/**
 * {@code GET /cluster}: every member as the answering node sees it.
 *
 * @param coordinator who the node believes coordinates now; empty while an election runs
 * @param term the node's current term (0 before the first election)
 * @param failSafe true while the node routes every request to the baseline (no valid lease)
 * @param failSafeReason why, in one line; empty when not fail-safe
 * @param waitingFor the members the node waits to hear before it votes or serves the canary: it restarted
 *     amnesiac (an empty or restored data dir); start them, or replace one lost for good by starting a node under
 *     its name on an empty data dir. Empty otherwise (and from an older node)
 */
public record ClusterView(String node, String coordinator, List<MemberView> nodes, long term, boolean failSafe,
                          String failSafeReason, List<String> waitingFor) {

    public ClusterView {
        coordinator = coordinator == null ? "" : coordinator;
        nodes = nodes == null ? List.of() : nodes;
        failSafeReason = failSafeReason == null ? "" : failSafeReason;
        waitingFor = waitingFor == null ? List.of() : List.copyOf(waitingFor);
    }

    /** A view of a node that waits for nobody. */
    public ClusterView(String node, String coordinator, List<MemberView> nodes, long term, boolean failSafe,
                       String failSafeReason) {
        this(node, coordinator, nodes, term, failSafe, failSafeReason, List.of());
    }
}
