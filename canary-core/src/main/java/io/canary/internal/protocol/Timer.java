package io.canary.internal.protocol;

/**
 * Timers a state machine schedules through {@link Effect.Schedule}. They identify what they are
 * for (a transaction, a request) so that a timer that outlived its purpose is simply ignored.
 */
public sealed interface Timer {

    /** Time to tell every peer this node's committed version. */
    record HeartbeatTick() implements Timer {
    }

    /** The prepare phase of {@code txId} ran out of time. */
    record PrepareTimeout(long txId) implements Timer {
    }

    /** A change that is not a promotion has a majority's YES: after this grace it commits without the slower members. */
    record CommitGrace(long txId) implements Timer {
    }

    /** Resend Commit of {@code txId} to members that have not acknowledged it. */
    record CommitResend(long txId) implements Timer {
    }

    /** Resend Abort of {@code txId} to members that have not logged it; answer the caller by its deadline. */
    record AbortResend(long txId) implements Timer {
    }

    /** A prepared participant checks whether it is in doubt and asks the coordinator. */
    record InDoubtCheck() implements Timer {
    }

    /** A candidate's election round ran out of time without a majority. */
    record ElectionTimeout(long term) implements Timer {
    }

    /** A restarting node stops waiting for the coordinator's sync and serves what it has. */
    record SyncTimeout() implements Timer {
    }

    /** A forwarded request's caller gives up. */
    record RequestTimeout(long requestId) implements Timer {
    }

    /** Resend a forwarded request the coordinator has not answered yet. */
    record RequestResend(long requestId) implements Timer {
    }

    /** A queued proposal's caller gives up if it has not started by now. */
    record ProposalDeadline(long proposalId) implements Timer {
    }

    /**
     * The rollout engine's analysis tick (every health interval while a rollout is active);
     * {@code generation} identifies the engine's tenure, so a tick of a coordinator that lost the
     * role and took it back is ignored.
     */
    record RolloutTick(long generation) implements Timer {
    }
}
