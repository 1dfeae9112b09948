package io.canary.internal.rollout;

import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.rollout.Verdict;
import java.util.Objects;

/**
 * What the {@link RolloutController} asks its runtime to do, in order. The controller itself does
 * no I/O and reads no clock: the runtime executes these on the coordinator's protocol thread.
 */
public sealed interface RolloutEffect {

    /** What a proposal is for; decides how its failure is handled. */
    enum Kind {
        /** The first step of a new rollout. */
        START,
        /** The next step after a passing analysis. */
        PROMOTE,
        /** The next step because an operator said so. */
        MANUAL_PROMOTE,
        /** Hold at the current step (operator). */
        PAUSE,
        /** Continue analysing (operator). */
        RESUME,
        /** Back to the baseline after failed analyses or an operator's abort; retried until committed. */
        ROLLBACK
    }

    /**
     * Queue a two-phase commit of {@code change}, computed from the committed state when the
     * transaction starts. The runtime reports the outcome through
     * {@link RolloutController#onProposalCommitted} or {@link RolloutController#onProposalFailed}
     * with {@code id}. A ROLLBACK lowers the canary's share: it needs only the reachable nodes.
     */
    record Propose(long id, Kind kind, StepChange change, String description) implements RolloutEffect {
        public Propose {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(change, "change");
            Objects.requireNonNull(description, "description");
        }
    }

    /**
     * Append {@code verdict} to the state log durably as a {@link LogRecord.RolloutVerdict}, keep it
     * among the recent verdicts and send it to every peer as a VerdictReport.
     */
    record Publish(String rolloutId, Verdict verdict) implements RolloutEffect {
        public Publish {
            Objects.requireNonNull(rolloutId, "rolloutId");
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    /** Append {@code record} to the state log durably before the effects that follow. */
    record Append(LogRecord record) implements RolloutEffect {
        public Append {
            Objects.requireNonNull(record, "record");
        }
    }

    /** Call {@link RolloutController#tick} at (or after) {@code at}; early or extra ticks are harmless. */
    record WakeAt(long at) implements RolloutEffect {
    }

    /** Computes the proposed state from the committed one (same shape as the protocol's state change). */
    @FunctionalInterface
    interface StepChange {
        /**
         * @throws IllegalStateException with a reason for the caller if the rollout moved on and the
         *     change no longer applies
         */
        RoutingState apply(RoutingState current);
    }
}
