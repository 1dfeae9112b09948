package io.canary.internal.node;

import io.canary.NodeConfig;
import io.canary.PeerStatus;
import io.canary.internal.protocol.StateChange;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.time.Scheduler;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a {@link NodeExtension} may do with its node. INTERNAL SPI.
 *
 * <p>Threading: {@link #execute}, {@link #schedule}, {@link #every}, {@link #nowMillis} and the
 * identity accessors are safe from any thread; everything else must be called on the protocol
 * thread (from an extension callback or a task run through this context).
 */
public interface NodeContext {

    /** This node's id. */
    String nodeId();

    /** Every member's id, this node's included, in configuration order. */
    List<String> members();

    /**
     * The id of the node this node believes coordinates now (empty while none is known, e.g. during
     * an election). Dynamic: it changes with elections. Safe from any thread.
     */
    String coordinatorId();

    /**
     * True while this node is the coordinator (elected and past its recovery round). Dynamic; see
     * {@link NodeExtension#onRoleChange}. Safe from any thread.
     */
    boolean isCoordinator();

    /** The node's timings. */
    NodeConfig config();

    /**
     * The node's clock in epoch milliseconds (virtual in tests), steady: the wall clock at the node's
     * start plus the monotonic time since ({@link io.canary.time.SteadyClock}), so a wall-clock step
     * moves nothing an extension measures on it. Safe from any thread.
     */
    long nowMillis();

    /** The state this node routes on. */
    RoutingState committed();

    /** True once the node replayed its log and synced with the coordinator (see {@code CanaryNode.isReady}). */
    boolean isReady();

    /** Every member as this node sees it. */
    List<PeerStatus> cluster();

    /** Runs {@code task} on the protocol thread; dropped once the node closed. */
    void execute(Runnable task);

    /** Runs {@code task} once on the protocol thread after {@code delay}; never once the node closed. */
    Scheduler.Cancellable schedule(Duration delay, Runnable task);

    /** Runs {@code task} on the protocol thread every {@code period}, first after one period, until cancelled or closed. */
    Scheduler.Cancellable every(Duration period, Runnable task);

    /** Sends best effort (never blocks, never throws); to this node itself it is delivered locally. */
    void send(String to, Message message);

    /** Sends to every other member, best effort, like {@link #send}. */
    void broadcast(Message message);

    /**
     * Appends to the node's state log; with {@code durable}, returns once it is on stable storage
     * (blocking the protocol thread for the fsync).
     *
     * @throws java.io.UncheckedIOException if the log cannot be written: the record is not in the log
     *     and the extension must not act as if it were
     */
    void append(LogRecord record, boolean durable);

    /**
     * Queues a change on the coordinator: computed from the committed state when its transaction
     * starts. Completes (on the protocol thread) with the committed state, or exceptionally with a
     * ProposalFailedException saying why. On another node it fails at once.
     */
    CompletableFuture<RoutingState> propose(StateChange change, StateChange.Requester requester, String description);
}
