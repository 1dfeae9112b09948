package io.canary.internal.protocol;

import java.util.Objects;

/**
 * A change waiting in the coordinator's queue.
 *
 * @param id unique on this coordinator, for its deadline timer
 * @param change computes the proposed state from the committed state when the transaction starts
 * @param requester who asked
 * @param caller who waits for the outcome
 * @param description what it does, for logs and error messages (e.g. "weights {v1=0.9, v2=0.1}")
 * @param deadline epoch millis after which it is no longer started
 */
public record Proposal(long id, StateChange change, StateChange.Requester requester, Caller caller,
                       String description, long deadline) {
    public Proposal {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(requester, "requester");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(description, "description");
    }
}
