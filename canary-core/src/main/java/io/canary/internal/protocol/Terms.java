package io.canary.internal.protocol;

/**
 * A node's current term, its vote in that term, and whom it follows in it. The term and vote are
 * made durable by the caller (a TERM record) before anything is answered in the new term.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
final class Terms {

    /** See {@link io.canary.log.LogRecord.TermVote#UNKNOWN_VOTE}: never a member id, never granted. */
    static final String UNKNOWN_VOTE = io.canary.log.LogRecord.TermVote.UNKNOWN_VOTE;

    private long current;
    private String votedFor;
    private String coordinator = "";
    private long lastHeardCoordinator = Long.MIN_VALUE;
    private long lastContactWithCoordinator = Long.MIN_VALUE;

    Terms(long current, String votedFor) {
        this.current = current;
        this.votedFor = votedFor;
    }

    long current() {
        return current;
    }

    String votedFor() {
        return votedFor;
    }

    /** Who coordinates the current term as far as this node knows, "" if nobody yet. */
    String coordinator() {
        return coordinator;
    }

    /** When this node last heard its term's coordinator (monotonic), {@code Long.MIN_VALUE} if never. */
    long lastHeardCoordinator() {
        return lastHeardCoordinator;
    }

    /**
     * The last proven two-way contact with this term's coordinator: the send time (ours) that one of
     * its coordinator heartbeats echoed; {@code Long.MIN_VALUE} if none.
     */
    long lastContactWithCoordinator() {
        return lastContactWithCoordinator;
    }

    void contact(long echoedSentAt) {
        lastContactWithCoordinator = Math.max(lastContactWithCoordinator, echoedSentAt);
    }

    void enter(long term, String vote) {
        if (term > current) {
            current = term;
            coordinatorGone();
        }
        votedFor = vote;
    }

    /** The coordinator of this term says it no longer coordinates (it restarted): nobody does now. */
    void coordinatorGone() {
        coordinator = "";
        lastHeardCoordinator = Long.MIN_VALUE;
        lastContactWithCoordinator = Long.MIN_VALUE;
    }

    void vote(String candidate) {
        votedFor = candidate;
    }

    void coordinatorIs(String id, long now) {
        coordinator = id;
        lastHeardCoordinator = now;
    }

    /** The planted bug FORGET_VOTE_ON_RESTART only. */
    void forgetVote() {
        votedFor = "";
    }
}
