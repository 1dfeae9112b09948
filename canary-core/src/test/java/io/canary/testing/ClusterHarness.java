package io.canary.testing;

import io.canary.CanaryNode;
import io.canary.NodeConfig;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * What {@link TwoPhaseCommitScenarios} needs from a cluster, so that the same scenarios run over the
 * in-memory network on virtual time ({@link LocalClusterHarness}) and over real sockets on real time
 * (canary-transport). Nodes are {@code node-a}, {@code node-b}, ...; {@code node-a} coordinates.
 *
 * <p>An implementation must make every node's log readable while the node is down, lose a node's
 * non-durable log records on {@link #crash}, and apply message faults per directed link and type.
 */
public interface ClusterHarness extends AutoCloseable {

    /**
     * Starts {@code nodes} nodes and returns once they are started (not necessarily in touch).
     *
     * @param servable versions a node can serve, by node id; a node not named serves any
     */
    void start(int nodes, NodeConfig config, RoutingState initial, Map<String, Set<String>> servable);

    /** The running node (after a restart, the new one). */
    CanaryNode node(String id);

    List<String> ids();

    /** Stops a node abruptly: log records not yet durable are lost. */
    void crash(String id);

    /** Stops a node abruptly in the middle of writing its last durable record (a torn last line). */
    void crashTearingLastRecord(String id);

    /** Starts a new node with the id and log of a crashed one. */
    CanaryNode restart(String id);

    /** Loses every message to and from {@code id} until {@link #heal()}. */
    void isolate(String id);

    /** Loses messages of {@code type} sent from {@code from} to {@code to} until {@link #heal()}. */
    void drop(String from, String to, Class<? extends Message> type);

    /** Removes every fault. */
    void heal();

    /** Every record now in the node's log, durable or not, oldest first; readable while the node is down. */
    List<LogRecord> logRecords(String id);

    /**
     * Waits until {@code condition} holds, failing the test with {@code what} after {@code max}. A
     * virtual-time harness advances its clock; a real-time one polls. Scenarios never assume more
     * about timing than this.
     */
    void awaitUntil(String what, BooleanSupplier condition, Duration max);

    /** Stops every node. */
    @Override
    void close();
}
