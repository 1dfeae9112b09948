package io.canary.internal.protocol;

import io.canary.model.RoutingState;

/**
 * A proposal, as a function of the committed state at the moment its transaction starts (not when
 * it was queued): queued proposals therefore never work from a stale state.
 */
@FunctionalInterface
public interface StateChange {

    /**
     * Returns the state to propose after {@code current}: only its weights, baseline and rollout
     * are used; the coordinator sets version, transaction id and time. Runs on the protocol thread
     * and must not block.
     *
     * @throws ProposalRejectedException (or IllegalArgumentException) with a reason for the caller
     *     if the change cannot be made on this state
     */
    RoutingState apply(RoutingState current);

    /** Who asked for a change: an operator's manual change is refused while a rollout runs. */
    enum Requester {
        /** A person, through the API, CLI or HTTP. */
        OPERATOR,
        /** The rollout controller on the coordinator. */
        ROLLOUT
    }
}
