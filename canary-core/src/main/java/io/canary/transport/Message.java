package io.canary.transport;

import io.canary.health.HealthSnapshot;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import java.util.Objects;

/**
 * Everything nodes say to each other. Every message is idempotent: receiving it twice has the
 * effect of receiving it once, so transports may duplicate and the protocol may resend.
 *
 * <p>The set is closed ({@code sealed}) so that codecs can be checked for completeness. Adding a
 * message type means adding it to every codec and bumping the wire protocol version.
 */
public sealed interface Message {

    // ---- two-phase commit -------------------------------------------------------------------

    /** Coordinator to participant: prepare to commit {@code proposed} (version = committed + 1). */
    record Prepare(long txId, RoutingState proposed) implements Message {
        public Prepare {
            Objects.requireNonNull(proposed, "proposed");
        }
    }

    /** Participant to coordinator: YES after PREPARED is durable, or NO with the reason. */
    record Vote(long txId, boolean yes, String reason) implements Message {
        public Vote {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Coordinator to participant: the decision is COMMIT; resent until acknowledged. */
    record Commit(long txId, RoutingState state) implements Message {
        public Commit {
            Objects.requireNonNull(state, "state");
        }
    }

    /** Participant to coordinator: the commit of {@code txId} is durable and applied. */
    record CommitAck(long txId) implements Message {
    }

    /** Coordinator to participant: the decision is ABORT (also the answer under presumed abort). */
    record Abort(long txId, String reason) implements Message {
        public Abort {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * In-doubt participant to coordinator: what was decided for {@code txId}, which proposed
     * {@code version}? The coordinator answers Commit, Abort (presumed abort: no COMMIT record), or
     * a StateSync when its committed version already covers {@code version}; while the transaction
     * is still undecided it does not answer, and the participant asks again.
     */
    record DecisionQuery(long txId, long version) implements Message {
    }

    // ---- membership and catch-up ------------------------------------------------------------

    /** Every node to every peer, periodically: I am alive and this is my committed version. */
    record Heartbeat(long committedVersion, boolean ready) implements Message {
    }

    /** Coordinator to a node that is behind: the latest committed state, to log and apply. */
    record StateSync(RoutingState state) implements Message {
        public StateSync {
            Objects.requireNonNull(state, "state");
        }
    }

    // ---- health and rollout -----------------------------------------------------------------

    /** Every node to every peer, each health interval: my health over my window. */
    record HealthReport(HealthSnapshot snapshot) implements Message {
        public HealthReport {
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /** Coordinator to every peer: the verdict of an analysis of rollout {@code rolloutId}. */
    record VerdictReport(String rolloutId, Verdict verdict) implements Message {
        public VerdictReport {
            Objects.requireNonNull(rolloutId, "rolloutId");
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    // ---- requests forwarded to the coordinator ----------------------------------------------

    /** Any node to the coordinator: run this command for a caller of mine. */
    record ForwardRequest(long requestId, Command command) implements Message {
        public ForwardRequest {
            Objects.requireNonNull(command, "command");
        }
    }

    /**
     * Coordinator to the forwarding node: the outcome. When {@code outcome} is
     * {@link Outcome#COMMITTED}, {@code state} is the committed state and {@code error} is empty;
     * otherwise {@code state} is the coordinator's current committed state and {@code error} says
     * why (for {@link Outcome#UNKNOWN}: why the coordinator cannot tell whether it committed).
     */
    record ForwardResponse(long requestId, Outcome outcome, RoutingState state, String error) implements Message {
        public ForwardResponse {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(error, "error");
        }

        /** True when the request committed (or needed no change). */
        public boolean ok() {
            return outcome == Outcome.COMMITTED;
        }

        /**
         * How a forwarded request ended, as the coordinator knows it. Each constant has a fixed wire
         * code (never its ordinal), so reordering or adding constants keeps old codes meaning the same.
         */
        public enum Outcome {
            /** Committed, or needed no change: {@code state} is the committed state. */
            COMMITTED(1),
            /** Did not commit and never will (refused, aborted, vetoed): safe to retry. */
            FAILED(2),
            /** May or may not have committed (e.g. the coordinator restarted while running it). */
            UNKNOWN(3);

            private final int code;

            Outcome(int code) {
                this.code = code;
            }

            /** The wire code of this outcome. */
            public int code() {
                return code;
            }

            /** The outcome with wire code {@code code}, or {@code null} if there is none. */
            public static Outcome ofCode(int code) {
                for (Outcome o : values()) {
                    if (o.code == code) {
                        return o;
                    }
                }
                return null;
            }
        }
    }

    /** A mutation that only the coordinator runs. */
    sealed interface Command {
    }

    /** Change the weights through 2PC. */
    record ProposeWeights(Weights weights) implements Command {
        public ProposeWeights {
            Objects.requireNonNull(weights, "weights");
        }
    }

    /** Start a rollout with this plan. */
    record StartRollout(RolloutPlan plan) implements Command {
        public StartRollout {
            Objects.requireNonNull(plan, "plan");
        }
    }

    /** Pause, resume, promote or abort the running rollout. */
    record ControlRollout(RolloutAction action) implements Command {
        public ControlRollout {
            Objects.requireNonNull(action, "action");
        }
    }
}
