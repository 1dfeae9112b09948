package io.canary.sim;

import io.canary.internal.protocol.Outcome;
import io.canary.model.RoutingState;
import io.canary.transport.Message;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * One incarnation of a simulated node, as the {@link Simulation} drives and observes it. Two
 * kinds: {@link SimNode} runs the protocol state machines under the simulator's own effect
 * executor; {@link RuntimeMember} runs the node's real runtime ({@code NodeRuntime} with its health
 * and rollout extensions). Everything here is called on the simulation's single thread.
 */
interface Member {

    String id();

    int incarnation();

    boolean isDead();

    /** Starts this incarnation from its disk (called inside a step). */
    void start();

    /**
     * Stops dead (called once): the disk keeps only what was fsynced (minus the record being
     * written, if torn). A member may also decide during a step that it crashed ({@link #isDead()}
     * turns true); the simulator then calls this right after the step.
     */
    void die(boolean tornWrite);

    /** True if the node stopped on its own (its runtime gave up on a failing disk), not by a simulated crash. */
    default boolean stoppedItself() {
        return false;
    }

    /** True if a crash this member decided itself interrupted a durable write. */
    default boolean tornWrite() {
        return false;
    }

    /** An operator's command through this node; {@code done} gets the outcome unless the node dies first. */
    void command(Message.Command command, Consumer<Outcome> done);

    /** The committed state the node reports. */
    RoutingState committed();

    /** The state its router routes on. */
    RoutingState routed();

    /** A transaction the node voted YES on and has no decision for. */
    OptionalLong prepared();

    boolean isReady();

    /** True while this node coordinates (elected, past its recovery round). */
    boolean isCoordinator();

    /** The node's current term. */
    long term();

    /** True while the node routes fail-safe (no valid lease: every request to the baseline). */
    boolean isFailSafe();

    /** True if the protocol, asked at this instant (whether or not an event ran lately), says the node holds no lease. */
    boolean leaseLapsed();

    /** True if the router, asked at this instant, routes fail-safe (its lease deadline applied). */
    boolean routesFailSafeNow();

    /** The members this node, amnesiac, waits to hear before it votes or serves the canary (empty if it waits for nobody). */
    java.util.List<String> waitingFor();

    /** Commands and proposals this node still waits for. */
    int pendingCalls();

    /** True while durable records wait for a group commit's fsync: its state is not yet what it has shown. */
    default boolean holdsUnforced() {
        return false;
    }

    /** After each step (e.g. the protocol-mode executor's checkpoints). */
    default void afterEvent() {
    }
}
