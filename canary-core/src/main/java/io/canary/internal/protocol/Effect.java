package io.canary.internal.protocol;

import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.transport.Message;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;

/**
 * What a protocol state machine asks its runtime to do. The runtime executes the effects of one
 * event in order on the protocol thread, so a durable {@link Append} is on disk before the
 * {@link Send} that follows it: that ordering is how "durable before visible" is expressed.
 */
public sealed interface Effect {

    /** Send a message to a node (to this node itself: the runtime hands it back as an inbound message). */
    record Send(String to, Message message) implements Effect {
        public Send {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Append a record to the state log; with {@code durable}, fsync before the next effect. */
    record Append(LogRecord record, boolean durable) implements Effect {
        public Append {
            Objects.requireNonNull(record, "record");
        }
    }

    /** Fire {@code timer} after {@code delay}. Timers are never cancelled: a stale one is ignored when it fires. */
    record Schedule(Duration delay, Timer timer) implements Effect {
        public Schedule {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(timer, "timer");
        }
    }

    /** Route on this committed state from now on. */
    record Apply(RoutingState state) implements Effect {
        public Apply {
            Objects.requireNonNull(state, "state");
        }
    }

    /** Complete the local caller's future {@code callId}. */
    record Complete(long callId, Outcome outcome) implements Effect {
        public Complete {
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /**
     * Run a command the protocol does not handle itself (rollout commands) on the coordinator and
     * report its outcome back for {@code caller}.
     */
    record Delegate(Caller caller, Message.Command command) implements Effect {
        public Delegate {
            Objects.requireNonNull(caller, "caller");
            Objects.requireNonNull(command, "command");
        }
    }

    /** Tell the operator something (the runtime writes it to its logger). */
    record Log(Level level, String message) implements Effect {
        public Log {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Queue a two-phase commit of {@code change} on the coordinator (computed from the committed
     * state when its transaction starts) and report its outcome back under {@code proposalId}: how
     * the rollout engine asks for its steps, pauses and rollbacks.
     */
    record Propose(long proposalId, StateChange change, StateChange.Requester requester, String description)
            implements Effect {
        public Propose {
            Objects.requireNonNull(change, "change");
            Objects.requireNonNull(requester, "requester");
            Objects.requireNonNull(description, "description");
        }
    }
}
