package io.canary.internal.protocol;

import io.canary.model.RoutingState;
import java.util.Objects;
import java.util.concurrent.CompletionException;

/** How a caller's request ended: the committed state, or why not. */
public sealed interface Outcome {

    /** The request committed (or needed no change): this is the committed state. */
    record Success(RoutingState state) implements Outcome {
        public Success {
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * The request did not commit, or (with {@code outcomeUnknown}) no outcome reached this node in
     * time, so it may still commit; {@code reason} is one line an operator can act on.
     */
    record Failure(String reason, boolean outcomeUnknown) implements Outcome {
        public Failure {
            Objects.requireNonNull(reason, "reason");
        }
    }

    static Outcome success(RoutingState state) {
        return new Success(state);
    }

    static Outcome failure(String reason) {
        return new Failure(reason, false);
    }

    /** How a future ended: its state, or the message of its (unwrapped) failure. */
    static Outcome of(RoutingState state, Throwable error) {
        if (error == null) {
            return success(state);
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String reason = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        // "May still commit" must stay that: a delegated command whose transaction's outcome is unknown is not a failure.
        return cause instanceof io.canary.ProposalTimeoutException ? unknown(reason) : failure(reason);
    }

    /** No outcome arrived in time: the request may or may not commit. */
    static Outcome unknown(String reason) {
        return new Failure(reason, true);
    }
}
