package io.canary.launcher.demo;

import io.canary.NodeConfig;
import io.canary.launcher.LauncherException;
import io.canary.launcher.client.NodeAddress;
import io.canary.launcher.client.NodeAddresses;
import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.node.HostPort;
import io.canary.launcher.node.NodeConsole;
import io.canary.launcher.node.NodeProcess;
import io.canary.launcher.node.NodeSettings;
import io.canary.launcher.node.ReferenceLayout;
import io.canary.launcher.node.TransportFactory;
import io.canary.net.ControlPort;
import io.canary.net.SocketTransport;
import io.canary.net.SocketTransportConfig;
import io.canary.transport.Transport;
import io.canary.transport.TransportException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Several launcher nodes in this JVM on 127.0.0.1, talking over real TCP sockets and serving real
 * HTTP: what {@code canary demo} runs, and what launcher tests start. The control ports are bound
 * before any node is built (so each node's peer list holds the others' actual ports, ephemeral or
 * not); node-a is the coordinator.
 *
 * <p>{@link #close()} stops every node and deletes the data directory if this cluster created it.
 */
public final class LoopbackCluster implements AutoCloseable {
    private static final String HOST = "127.0.0.1";

    private final List<NodeProcess> nodes;
    private final Path dataDir;
    private final boolean ownsDataDir;

    private LoopbackCluster(List<NodeProcess> nodes, Path dataDir, boolean ownsDataDir) {
        this.nodes = nodes;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The running nodes, node-a first. */
    public List<NodeProcess> nodes() {
        return nodes;
    }

    /** The node with this id. */
    public NodeProcess node(String nodeId) {
        return nodes.stream().filter(n -> n.nodeId().equals(nodeId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + nodeId));
    }

    /** Where clients reach the data planes. */
    public List<NodeAddress> addresses() {
        return nodes.stream().map(n -> new NodeAddress(n.nodeId(), URI.create(n.dataUrl()))).toList();
    }

    /** The same, as a {@code --nodes} value. */
    public String nodesOption() {
        return NodeAddresses.format(addresses());
    }

    /** The directory holding every node's state log. */
    public Path dataDir() {
        return dataDir;
    }

    /** True once every node replayed its log and synced with the coordinator. */
    public boolean allReady() {
        return nodes.stream().allMatch(n -> n.node().isReady());
    }

    @Override
    public void close() {
        for (NodeProcess n : nodes) {
            n.close();
        }
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // A temp file left behind is harmless; the OS cleans its temp dir.
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // Same: best effort.
        }
    }

    /** Builds and starts a loopback cluster. */
    public static final class Builder {
        private List<String> nodeIds = ReferenceLayout.NODE_IDS;
        private boolean referencePorts;
        private Map<String, ModelSpec> models;
        private NodeConfig nodeConfig = NodeConfig.ofDefaults();
        private Path dataDir;
        private Function<String, NodeConsole> consoles = NodeConsole::silent;
        private String clusterId = "canary-loopback";

        private Builder() {
        }

        /** The node ids, coordinator first; default node-a, node-b, node-c. */
        public Builder nodeIds(List<String> ids) {
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("a cluster needs at least one node");
            }
            this.nodeIds = List.copyOf(ids);
            return this;
        }

        /** Listen on the reference ports (60001.., 50051..) instead of ephemeral ones. */
        public Builder referencePorts(boolean reference) {
            this.referencePorts = reference;
            return this;
        }

        /** Version to model, the same on every node. Default: the launcher's two demo models. */
        public Builder models(Map<String, ModelSpec> models) {
            this.models = new LinkedHashMap<>(models);
            return this;
        }

        public Builder nodeConfig(NodeConfig config) {
            this.nodeConfig = Objects.requireNonNull(config, "nodeConfig");
            return this;
        }

        /** Where the state logs go; default: a temp directory deleted on close. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Each node's console; default silent. */
        public Builder consoles(Function<String, NodeConsole> consoles) {
            this.consoles = Objects.requireNonNull(consoles, "consoles");
            return this;
        }

        /**
         * Binds every control port, then starts every node.
         *
         * @throws LauncherException with one line if a port is taken or the data dir is unusable
         */
        public LoopbackCluster start() {
            boolean owns = dataDir == null;
            Path dir;
            try {
                dir = owns ? Files.createTempDirectory("canary-demo-") : Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw LauncherException.environment("cannot create the data directory " + (owns ? "in the temp dir" : dataDir)
                        + ": " + e.getMessage(), e);
            }
            Map<String, ControlPort> controlPorts = new LinkedHashMap<>();
            List<NodeProcess> started = new ArrayList<>();
            try {
                for (int i = 0; i < nodeIds.size(); i++) {
                    int port = referencePorts ? ReferenceLayout.FIRST_CONTROL_PORT + i : 0;
                    controlPorts.put(nodeIds.get(i), ControlPort.bind(HOST, port));
                }
                Map<String, HostPort> members = new LinkedHashMap<>();
                controlPorts.forEach((id, cp) -> members.put(id, new HostPort(HOST, cp.port())));
                TransportFactory transports = new PreBoundTransports(controlPorts);
                for (int i = 0; i < nodeIds.size(); i++) {
                    String id = nodeIds.get(i);
                    NodeSettings.Builder settings = NodeSettings.builder(id).members(members).coordinatorId(nodeIds.get(0))
                            .bindHost(HOST).controlPort(members.get(id).port())
                            .dataPort(referencePorts ? ReferenceLayout.FIRST_DATA_PORT + i : 0)
                            .dataDir(dir).clusterId(clusterId).nodeConfig(nodeConfig).adminToken(null);
                    if (models != null) {
                        settings.models(models);
                    }
                    started.add(NodeProcess.start(settings.build(), transports, consoles.apply(id)));
                    controlPorts.remove(id);
                }
                return new LoopbackCluster(List.copyOf(started), dir, owns);
            } catch (TransportException e) {
                throw cleanUp(started, controlPorts, dir, owns, LauncherException.environment(e.getMessage(), e));
            } catch (RuntimeException e) {
                throw cleanUp(started, controlPorts, dir, owns, e);
            }
        }

        private static RuntimeException cleanUp(List<NodeProcess> started, Map<String, ControlPort> unused, Path dir,
                                                boolean owns, RuntimeException failure) {
            started.forEach(NodeProcess::close);
            unused.values().forEach(ControlPort::close);
            if (owns) {
                deleteRecursively(dir);
            }
            return failure;
        }
    }

    /** Socket transports on control ports bound ahead of time; each transport takes over its port. */
    private static final class PreBoundTransports implements TransportFactory {
        private final Map<String, ControlPort> ports;

        PreBoundTransports(Map<String, ControlPort> ports) {
            this.ports = Map.copyOf(ports);
        }

        @Override
        public Transport create(NodeSettings settings) {
            Map<String, io.canary.net.HostPort> peers = new LinkedHashMap<>();
            settings.members().forEach((id, hp) -> peers.put(id, new io.canary.net.HostPort(hp.host(), hp.port())));
            SocketTransportConfig config = SocketTransportConfig.custom().clusterId(settings.clusterId())
                    .bindHost(settings.bindHost()).port(settings.controlPort()).peers(peers).build();
            return new SocketTransport(config, ports.get(settings.nodeId()));
        }

        @Override
        public int boundPort(Transport transport, NodeSettings settings) {
            return ((SocketTransport) transport).port();
        }
    }
}
