package io.canary.launcher.node;

import io.canary.NodeConfig;
import io.canary.launcher.LauncherException;
import io.canary.launcher.model.ModelSpec;
import io.canary.model.Weights;
import io.canary.net.ClusterSecret;
import io.canary.net.ControlPort;
import io.canary.net.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Several launcher nodes in one JVM on loopback, talking over real sockets: what {@code canary demo}
 * runs and what the launcher's tests start. Control ports are bound up front (ephemeral unless
 * reference ports are asked for) so that every node's peer list names them; a stopped node can be
 * started again on the same ports with the same settings, as an operator would rerun the command.
 *
 * <p>Thread-safe for the operations below; {@link #close()} stops every node.
 */
public final class InProcessCluster implements AutoCloseable {
    private final Map<String, NodeSettings> settings;
    private final Map<String, NodeProcess> running = new LinkedHashMap<>();
    private final Function<String, NodeConsole> consoles;

    private InProcessCluster(Map<String, NodeSettings> settings, Function<String, NodeConsole> consoles) {
        this.settings = settings;
        this.consoles = consoles;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The running nodes, in member order. */
    public synchronized List<NodeProcess> nodes() {
        return List.copyOf(running.values());
    }

    /** A running node. */
    public synchronized NodeProcess node(String nodeId) {
        NodeProcess p = running.get(nodeId);
        if (p == null) {
            throw new IllegalArgumentException(nodeId + " is not running (running: " + running.keySet() + ")");
        }
        return p;
    }

    /** Every member's id, running or not, in member order. */
    public List<String> memberIds() {
        return List.copyOf(settings.keySet());
    }

    /** The settings a member runs (or will run again) with. */
    public NodeSettings settings(String nodeId) {
        NodeSettings s = settings.get(nodeId);
        if (s == null) {
            throw new IllegalArgumentException("no member " + nodeId + " (members: " + settings.keySet() + ")");
        }
        return s;
    }

    /** {@code http://127.0.0.1:<port>} of every member's data plane, running or not, in member order. */
    public Map<String, String> dataUrls() {
        Map<String, String> m = new LinkedHashMap<>();
        settings.forEach((id, s) -> m.put(id, "http://127.0.0.1:" + s.dataPort()));
        return m;
    }

    /** True once every running node reports ready. */
    public synchronized boolean allReady() {
        return running.values().stream().allMatch(p -> p.node().isReady());
    }

    /** Stops one node cleanly (its log stays), as Ctrl+C would. */
    public synchronized void stop(String nodeId) {
        NodeProcess p = running.remove(nodeId);
        if (p != null) {
            p.close();
        }
    }

    /** Starts a stopped node again with the same settings and ports; it replays its log and syncs. */
    public synchronized NodeProcess restart(String nodeId) {
        if (running.containsKey(nodeId)) {
            throw new IllegalStateException(nodeId + " is already running");
        }
        NodeProcess p = NodeProcess.start(settings(nodeId), SocketTransports.factory(), consoles.apply(nodeId));
        running.put(nodeId, p);
        return p;
    }

    @Override
    public synchronized void close() {
        List<String> ids = new ArrayList<>(running.keySet());
        java.util.Collections.reverse(ids);
        for (String id : ids) {
            running.remove(id).close();
        }
    }

    /** Builds and starts a cluster; defaults: node-a, node-b, node-c, node-a coordinating, ephemeral ports. */
    public static final class Builder {
        private List<String> nodeIds = ReferenceLayout.NODE_IDS;
        private Path dataDir;
        private Map<String, ModelSpec> models;
        private Weights initialWeights;
        private NodeConfig nodeConfig = NodeConfig.ofDefaults();
        private boolean referencePorts;
        private String clusterId = NodeSettings.DEFAULT_CLUSTER_ID;
        private String adminToken;
        private io.canary.launcher.webhook.WebhookSettings webhooks = io.canary.launcher.webhook.WebhookSettings.NONE;
        private String rolloutOnStart;
        private boolean verbose;
        private Function<String, NodeConsole> consoles = NodeConsole::silent;

        private Builder() {
        }

        /** Member ids; the first coordinates. */
        public Builder nodeIds(List<String> ids) {
            if (ids == null || ids.isEmpty()) {
                throw new IllegalArgumentException("a cluster needs at least one node");
            }
            this.nodeIds = List.copyOf(ids);
            return this;
        }

        /** Where every node keeps its log. Required. */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dataDir");
            return this;
        }

        public Builder models(Map<String, ModelSpec> models) {
            this.models = new LinkedHashMap<>(models);
            return this;
        }

        public Builder initialWeights(Weights weights) {
            this.initialWeights = weights;
            return this;
        }

        public Builder nodeConfig(NodeConfig config) {
            this.nodeConfig = Objects.requireNonNull(config, "nodeConfig");
            return this;
        }

        /** Use the reference ports (60001.., 50051..) instead of ephemeral ones, so {@code canary query} finds the nodes. */
        public Builder referencePorts(boolean reference) {
            this.referencePorts = reference;
            return this;
        }

        public Builder clusterId(String id) {
            this.clusterId = id;
            return this;
        }

        /** Every node posts its events to these webhooks (each posts only its share: see WebhookNotifier). */
        public Builder webhooks(io.canary.launcher.webhook.WebhookSettings settings) {
            this.webhooks = java.util.Objects.requireNonNull(settings, "webhooks");
            return this;
        }

        public Builder adminToken(String token) {
            this.adminToken = token;
            return this;
        }

        /** The coordinator starts a rollout of {@code canary} (default plan) once every node is reachable. */
        public Builder rolloutOnStart(String canary) {
            this.rolloutOnStart = canary;
            return this;
        }

        /** Print heartbeats, health exchange and inbound messages on the consoles. */
        public Builder verbose(boolean verbose) {
            this.verbose = verbose;
            return this;
        }

        /** Where each node's console lines go; default: nowhere. */
        public Builder consoles(Function<String, NodeConsole> consoles) {
            this.consoles = Objects.requireNonNull(consoles, "consoles");
            return this;
        }

        /**
         * Binds every port and starts every node, coordinator first.
         *
         * @throws LauncherException if a port is taken or a data directory is unwritable; nothing is
         *     left running
         */
        public InProcessCluster start() {
            Objects.requireNonNull(dataDir, "dataDir is required");
            Map<String, ControlPort> ports = new LinkedHashMap<>();
            try {
                for (int i = 0; i < nodeIds.size(); i++) {
                    ports.put(nodeIds.get(i), ControlPort.bind("127.0.0.1",
                            referencePorts ? ReferenceLayout.FIRST_CONTROL_PORT + i : 0));
                }
            } catch (RuntimeException e) {
                ports.values().forEach(ControlPort::close);
                throw LauncherException.environment(e.getMessage(), e);
            }
            Map<String, HostPort> members = new LinkedHashMap<>();
            ports.forEach((id, p) -> members.put(id, new HostPort("127.0.0.1", p.port())));
            Map<String, NodeSettings> all = new LinkedHashMap<>();
            // Loopback needs no secret, but an ephemeral one costs nothing and runs the demo as a deployment runs.
            ClusterSecret secret = ClusterSecret.generate();
            for (int i = 0; i < nodeIds.size(); i++) {
                String id = nodeIds.get(i);
                NodeSettings.Builder b = NodeSettings.builder(id)
                        .members(members)
                        .bindHost("127.0.0.1")
                        .controlPort(members.get(id).port())
                        .dataPort(referencePorts ? ReferenceLayout.FIRST_DATA_PORT + i : 0)
                        .dataDir(dataDir)
                        .clusterId(clusterId)
                        .nodeConfig(nodeConfig)
                        .adminToken(adminToken)
                        .clusterSecret(secret)
                        .webhooks(webhooks)
                        .verbose(verbose)
                        .rolloutCanary(i == 0 ? rolloutOnStart : null);
                if (models != null) {
                    b.models(models);
                }
                if (initialWeights != null) {
                    b.initialWeights(initialWeights);
                }
                all.put(id, b.build());
            }
            InProcessCluster cluster = new InProcessCluster(all, consoles);
            TransportFactory transports = SocketTransports.factory(ports);
            try {
                for (String id : nodeIds) {
                    NodeProcess p = NodeProcess.start(all.get(id), transports, consoles.apply(id));
                    synchronized (cluster) {
                        cluster.running.put(id, p);
                        // Keep the ephemeral data port for restarts.
                        all.put(id, all.get(id).toBuilder().dataPort(p.dataPort()).build());
                    }
                }
            } catch (RuntimeException e) {
                cluster.close();
                ports.values().forEach(ControlPort::close);
                throw e;
            }
            return cluster;
        }
    }

    /** Waits (polling, at most {@code timeout}) until every running node is ready. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!allReady()) {
            if (System.nanoTime() > deadline) {
                throw LauncherException.failure("the cluster was not ready within " + timeout.toSeconds() + "s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw LauncherException.failure("interrupted while waiting for the cluster");
            }
        }
    }
}
