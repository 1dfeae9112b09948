package io.canary.launcher.client;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * {@code --node}: which node a command goes through. Any node will do (participants forward to the
 * coordinator); without the option the command tries the nodes in order and moves on only when
 * one is unreachable, never after a node answered (a refused change must not be retried
 * elsewhere).
 */
public final class TargetNode {

    @Option(names = "--node", paramLabel = "ID",
            description = "Send through this node (default: the first reachable node of the list).")
    String nodeId;

    /** Result of a call and the node that answered it. */
    public record Answer<T>(NodeAddress node, T value) {
    }

    /** Calls {@code call} on the chosen node, or on the first reachable one. */
    public <T> Answer<T> call(List<NodeAddress> nodes, Function<NodeAddress, T> call) {
        if (nodeId != null) {
            NodeAddress node = nodes.stream().filter(n -> n.nodeId().equals(nodeId)).findFirst()
                    .orElseThrow(() -> new CliException("--node " + nodeId + " is not among the nodes "
                            + nodes.stream().map(NodeAddress::nodeId).toList() + " (see --nodes)", 2));
            return new Answer<>(node, call.apply(node));
        }
        List<String> failures = new ArrayList<>();
        for (NodeAddress node : nodes) {
            try {
                return new Answer<>(node, call.apply(node));
            } catch (CliException.Unreachable e) {
                failures.add(node.nodeId() + ": " + e.reason());
            }
        }
        throw new CliException("no node is reachable (" + String.join("; ", failures) + ")");
    }

    /** Sets the node as if given with {@code --node}. */
    public TargetNode nodeId(String id) {
        this.nodeId = id;
        return this;
    }
}
