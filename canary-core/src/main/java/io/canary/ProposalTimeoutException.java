package io.canary;

/**
 * No outcome reached the caller in time (the coordinator did not answer a forwarded request, or
 * the node's own deadline passed), so the change may still commit: check the routing state before
 * retrying. An HTTP front end maps it to 504 rather than 409.
 */
public class ProposalTimeoutException extends ProposalFailedException {
    public ProposalTimeoutException(String message) {
        super(message);
    }
}
