package io.canary;

/**
 * A proposal (weight change or rollout command) did not commit. The message says why in a way an
 * operator can act on: which node voted NO and its reason, which nodes did not answer in time,
 * or that the coordinator could not be reached.
 */
public class ProposalFailedException extends RuntimeException {
    public ProposalFailedException(String message) {
        super(message);
    }
}
