package io.canary;

import java.util.List;
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
 * @param waitingFor the members this node waits to hear before it votes, stands or serves the canary: it started
 *     <em>amnesiac</em> (an empty data dir, or a log holding no term it voted in), so it may have voted in a term it
 *     forgot. Empty otherwise. A member named here for long is down or cut off: start it, or, if it is lost for good,
 *     replace it (start a node under its name on an empty data dir). A non-empty list implies {@code failSafe}.
 */
public record CoordinationStatus(Optional<String> coordinator, long term, boolean failSafe, String failSafeReason,
                                 List<String> waitingFor) {

    public CoordinationStatus {
        Objects.requireNonNull(coordinator, "coordinator");
        Objects.requireNonNull(failSafeReason, "failSafeReason");
        waitingFor = List.copyOf(Objects.requireNonNull(waitingFor, "waitingFor"));
        if (!waitingFor.isEmpty() && !failSafe) {
            throw new IllegalArgumentException("a node waiting for " + waitingFor + " is fail-safe");
        }
        if (term < 0) {
            throw new IllegalArgumentException("term must be >= 0, got " + term);
        }
        if (failSafe == failSafeReason.isEmpty()) {
            throw new IllegalArgumentException("failSafeReason must be given exactly when failSafe, got failSafe="
                    + failSafe + " and reason '" + failSafeReason + "'");
        }
    }

    /** A status of a node that waits for nobody (not amnesiac). */
    public CoordinationStatus(Optional<String> coordinator, long term, boolean failSafe, String failSafeReason) {
        this(coordinator, term, failSafe, failSafeReason, List.of());
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
