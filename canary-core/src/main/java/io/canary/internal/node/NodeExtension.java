package io.canary.internal.node;

import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.transport.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A part of a node beyond two-phase commit, plugged into its runtime: the health exchange and the
 * rollout controller. INTERNAL SPI: it may change with the node.
 *
 * <p>Threading: every method is called on the node's protocol thread, one call at a time, and must
 * not block (it would stall two-phase commit); the extension may keep state without locks for the
 * same reason. Methods an extension adds for other threads (e.g. a status read by the API) must be
 * thread-safe on their own.
 *
 * <p>Failure: methods should not throw. If one does, the runtime logs it and goes on: the other
 * extensions and the rest of the protocol event (e.g. the acknowledgement of a commit) still run;
 * an exception from {@link #onCommand} fails that command's caller; one from
 * {@link #checkpointRecords} skips that checkpoint (the log keeps growing, nothing is lost).
 */
public interface NodeExtension {

    /**
     * The node started: {@code context} is valid until {@link #close()}; {@code replayed} are the
     * records of the log that the protocol does not own (rollout records), oldest first.
     */
    default void start(NodeContext context, List<LogRecord> replayed) {
    }

    /** A message the protocol does not handle arrived (HealthReport, VerdictReport). */
    default void onMessage(String from, Message message) {
    }

    /** This node applied a newly committed state (after it is durable). */
    default void onCommitted(RoutingState state) {
    }

    /**
     * On the coordinator, a command for the rollout (StartRollout, ControlRollout), from a caller on
     * this node or forwarded by another. Returns the future of its outcome, completed with the
     * committed state or exceptionally with a ProposalFailedException; or null if this extension
     * does not handle it.
     */
    default CompletableFuture<RoutingState> onCommand(Message.Command command) {
        return null;
    }

    /**
     * This node became ({@code coordinator} true) or stopped being the coordinator, in {@code term};
     * also called once at start if the node starts as coordinator. Called on the protocol thread,
     * after the node's protocol state changed: on becoming coordinator the node has already learned
     * the highest committed state of a majority ({@code committed}), so the rollout engine takes its
     * rollout over from {@code committed.rollout()}; on losing the role it stops its timers and fails
     * its pending callers with a retryable error (proposals through {@link NodeContext#propose} fail
     * from now on). Must not block; an exception is logged and ignored.
     */
    default void onRoleChange(boolean coordinator, long term, RoutingState committed) {
    }

    /** Records of this extension that a checkpoint must keep (e.g. the active rollout's). */
    default List<LogRecord> checkpointRecords() {
        return List.of();
    }

    /** The node is closing; timers scheduled through the context will not fire any more. */
    default void close() {
    }
}
