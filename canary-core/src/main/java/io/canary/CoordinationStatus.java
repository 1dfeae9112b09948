package io.canary;

import java.util.Objects;
import java.util.Optional;

/**
 * Who coordinates the cluster as one node sees it, and whether that node routes in fail-safe mode.
 * Immutable; read through {@link CanaryNode#coordination()} from any thread.
 *
 * @param coordinator the node this node believes coordinates now (itself included); empty while an
 *     election runs or none is known
 * @param term the node's current term (raised by every election, never reused; 0 before the first)
 * @param failSafe true while this node routes the canary's share to the baseline because it has no
 *     valid lease (isolated from a majority-backed coordinator, or restarted and not yet current)
 * @param failSafeReason why it is fail-safe, in one line; empty when it is not
 */
public record CoordinationStatus(Optional<String> coordinator, long term, boolean failSafe, String failSafeReason) {

    public CoordinationStatus {
        Objects.requireNonNull(coordinator, "coordinator");
        Objects.requireNonNull(failSafeReason, "failSafeReason");
        if (term < 0) {
            throw new IllegalArgumentException("term must be >= 0, got " + term);
        }
        if (failSafe == failSafeReason.isEmpty()) {
            throw new IllegalArgumentException("failSafeReason must be given exactly when failSafe, got failSafe="
                    + failSafe + " and reason '" + failSafeReason + "'");
        }
    }

    /** The status before anything is known: no coordinator, term 0, not fail-safe. */
    public static CoordinationStatus unknown() {
        return new CoordinationStatus(Optional.empty(), 0, false, "");
    }

    /** True if {@code nodeId} is the coordinator in this view. */
    public boolean isCoordinator(String nodeId) {
        return coordinator.isPresent() && coordinator.get().equals(nodeId);
    }
}
