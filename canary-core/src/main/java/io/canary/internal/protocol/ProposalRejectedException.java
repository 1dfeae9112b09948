package io.canary.internal.protocol;

/** Thrown by a {@link StateChange} that cannot apply to the current state; the message is the reason. */
public final class ProposalRejectedException extends RuntimeException {
    public ProposalRejectedException(String reason) {
        super(reason, null, false, false);
    }
}
