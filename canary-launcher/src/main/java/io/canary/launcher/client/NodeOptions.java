package io.canary.launcher.client;

import io.canary.launcher.DurationConverter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every client command shares: which nodes to talk to and how long to wait.
 */
public final class NodeOptions {

    @Option(names = "--nodes", paramLabel = "ID=URL[,ID=URL...]",
            description = {"Data-plane addresses of the nodes, e.g. node-a=http://10.0.0.1:50051,node-b=http://10.0.0.2:50052.",
                    "Default: $CANARY_NODES, else node-a/b/c on $PEERS_NODE_A/B/C (default 127.0.0.1), ports 50051-50053."})
    String nodes;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15s", converter = DurationConverter.class,
            description = "How long one HTTP call may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /** The nodes, from {@code --nodes}, {@code CANARY_NODES} or the reference layout. */
    public List<NodeAddress> resolve(Map<String, String> env) {
        try {
            return NodeAddresses.resolve(nodes, env);
        } catch (IllegalArgumentException e) {
            throw new CliException("--nodes: " + e.getMessage(), io.canary.launcher.ExitCodes.USAGE);
        }
    }

    public Duration timeout() {
        return timeout;
    }

    /** Sets the node list as if given on the command line (used by the demo). */
    public NodeOptions nodes(String list) {
        this.nodes = list;
        return this;
    }
}
