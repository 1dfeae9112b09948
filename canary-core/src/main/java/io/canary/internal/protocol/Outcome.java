package io.canary.internal.protocol;

import io.canary.model.RoutingState;
import java.util.Objects;
import java.util.concurrent.CompletionException;

/** How a caller's request ended: the committed state, or why not. */
public sealed interface Outcome {

    /**
     * The request committed (or needed no change): this is the committed state. A weight set merged
     * with later ones into one transaction ({@link Coalescing}) was <em>superseded</em>: its caller is
     * told the committed state that carries the later change, and which change that was.
     *
     * @param supersededBy the change that superseded this one (its description), empty if the
     *     committed state carries this request's own change
     */
    record Success(RoutingState state, java.util.Optional<String> supersededBy) implements Outcome {
        public Success {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(supersededBy, "supersededBy");
        }

        public Success(RoutingState state) {
            this(state, java.util.Optional.empty());
        }

        /** True if a later change superseded this one (the state carries the later change). */
        public boolean superseded() {
            return supersededBy.isPresent();
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

    /** Superseded by {@code by}, whose transaction committed {@code state}. */
    static Outcome superseded(RoutingState state, String by) {
        return new Success(state, java.util.Optional.of(by));
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
