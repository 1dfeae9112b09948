package io.canary.bench.scale;

import io.canary.CanaryNode;
import io.canary.NodeConfig;
import io.canary.net.ControlPort;
import io.canary.net.HostPort;
import io.canary.net.SocketTransport;
import io.canary.net.SocketTransportConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Some of a cluster's nodes, started in this JVM: each a {@link CanaryNode} on its own
 * {@link SocketTransport} (loopback TCP to every peer) and its own file state log (fsync on).
 * A cluster too big for one process's file descriptors is split into slices across JVMs.
 */
final class NodeSlice implements AutoCloseable {
    static final String CLUSTER_ID = "canary-scale-bench";
    private final List<CanaryNode> nodes = new ArrayList<>();

    /**
     * @param members every member's control address, coordinator first
     * @param mine the ids started here, each with its already bound port
     */
    NodeSlice(Map<String, HostPort> members, Map<String, ControlPort> mine, Path dataDir, NodeConfig config) {
        List<String> ids = List.copyOf(members.keySet());
        String coordinator = ids.get(0);
        // Nodes start in parallel: each start takes a fraction of a second (log, listener, threads).
        ExecutorService starters = Executors.newFixedThreadPool(8);
        List<Future<CanaryNode>> started = new ArrayList<>();
        try {
            for (Map.Entry<String, ControlPort> e : mine.entrySet()) {
                SocketTransportConfig.Builder t = SocketTransportConfig.custom().clusterId(CLUSTER_ID).bindHost("127.0.0.1");
                members.forEach((id, address) -> {
                    if (!id.equals(e.getKey())) {
                        t.peer(id, address);
                    }
                });
                started.add(starters.submit(() -> CanaryNode.builder()
                        .nodeId(e.getKey())
                        .members(ids)
                        .coordinatorId(coordinator)
                        .transport(new SocketTransport(t.build(), e.getValue()))
                        .dataDir(dataDir)
                        .config(config)
                        .build()
                        .start()));
            }
            for (Future<CanaryNode> f : started) {
                nodes.add(f.get());
            }
        } catch (InterruptedException | ExecutionException ex) {
            for (Future<CanaryNode> f : started) {
                if (f.isDone() && !f.isCancelled()) {
                    try {
                        nodes.add(f.get());
                    } catch (InterruptedException | ExecutionException ignored) {
                        // Failed to start: nothing to close.
                    }
                }
            }
            close();
            throw new IllegalStateException("a node did not start: " + ex.getMessage(), ex);
        } finally {
            starters.shutdown();
        }
    }

    List<CanaryNode> nodes() {
        return nodes;
    }

    @Override
    public void close() {
        nodes.parallelStream().forEach(n -> {
            try {
                n.close();
            } catch (RuntimeException ignored) {
                // Best effort: the benchmark is ending.
            }
        });
    }
}
