package io.canary.net.cluster;

import io.canary.CanaryNode;
import io.canary.NodeConfig;
import io.canary.log.LogHistory;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.net.ClusterSecret;
import io.canary.net.ControlPort;
import io.canary.net.HostPort;
import io.canary.net.SocketTransport;
import io.canary.net.SocketTransportConfig;
import io.canary.testing.ClusterHarness;
import io.canary.testing.LocalCluster;
import io.canary.transport.Message;
import io.canary.transport.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * {@link ClusterHarness} over real TCP: every node a {@link CanaryNode} with its own
 * {@link SocketTransport} on 127.0.0.1 (ephemeral ports, bound before any peer map is built), its
 * own protocol thread on the real clock (the node's default ExecutorScheduler) and a
 * {@link io.canary.log.FileStateLog} in a temporary directory. Faults are applied by a thin
 * decorator around each socket transport; every message that is not lost crosses a real socket.
 */
public final class SocketClusterHarness implements ClusterHarness {
    /** The cluster id every transport of the harness uses. */
    public static final String CLUSTER_ID = "harness";
    /**
     * Every transport of the harness authenticates with this secret (a tuning may replace it), so the
     * 2PC scenarios run with authentication and frame tags on, as a real deployment does.
     */
    public static final ClusterSecret SECRET = ClusterSecret.generate();
    private static final String HOST = "127.0.0.1";

    private final LinkFaults faults = new LinkFaults();
    private final Map<String, CanaryNode> nodes = new ConcurrentHashMap<>();
    private final Map<String, CrashableFileLog> logs = new ConcurrentHashMap<>();
    private final Map<String, SocketTransport> transports = new ConcurrentHashMap<>();
    private final Map<String, ControlPort> boundPorts = new LinkedHashMap<>();
    private final Map<String, HostPort> addresses = new LinkedHashMap<>();
    private final List<String> extraPeers;
    private final Transport.Receiver strangers;
    private final BiFunction<String, SocketTransportConfig.Builder, SocketTransportConfig.Builder> tuning;
    private List<String> ids = List.of();
    private Path dataDir;
    private NodeConfig config;
    private RoutingState initial;
    private Map<String, Set<String>> servable;

    public SocketClusterHarness() {
        this(List.of(), (from, message) -> { }, (id, b) -> b);
    }

    /**
     * @param extraPeers ids every transport accepts connections from (and dials) that are not
     *     cluster members: a test client posing as a peer
     * @param strangers receives what such ids send, instead of the nodes
     * @param tuning last word on each transport's config, by node id
     */
    public SocketClusterHarness(List<String> extraPeers, Transport.Receiver strangers,
                                BiFunction<String, SocketTransportConfig.Builder, SocketTransportConfig.Builder> tuning) {
        this.extraPeers = List.copyOf(extraPeers);
        this.strangers = strangers;
        this.tuning = tuning;
    }

    @Override
    public void start(int count, NodeConfig nodeConfig, RoutingState initialState, Map<String, Set<String>> servableVersions) {
        this.config = nodeConfig;
        this.initial = initialState;
        this.servable = Map.copyOf(servableVersions);
        try {
            dataDir = Files.createTempDirectory("canary-socket-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(LocalCluster.nodeId(i));
        }
        ids = List.copyOf(names);
        // Listen first, then build every peer map: ports are known only once bound.
        for (String id : ids) {
            ControlPort port = ControlPort.bind(HOST, 0);
            boundPorts.put(id, port);
            addresses.put(id, port.address());
        }
        for (String id : extraPeers) {
            try (ControlPort port = ControlPort.bind(HOST, 0)) {
                addresses.put(id, port.address()); // nobody listens there: dialling it simply fails
            }
        }
        for (String id : ids) {
            startNode(id);
        }
    }

    private CanaryNode startNode(String id) {
        SocketTransportConfig transportConfig = tuning.apply(id, SocketTransportConfig.custom()
                .clusterId(CLUSTER_ID).bindHost(HOST).port(addresses.get(id).port()).peers(addresses).clusterSecret(SECRET)
                .connectTimeout(Duration.ofSeconds(1)).backoffInitial(Duration.ofMillis(10))
                .backoffMax(Duration.ofMillis(200))).build();
        ControlPort bound = boundPorts.remove(id);
        SocketTransport transport = bound != null ? new SocketTransport(transportConfig, bound)
                : new SocketTransport(transportConfig);
        CrashableFileLog log = new CrashableFileLog(dataDir, id);
        CanaryNode.Builder b = CanaryNode.builder().nodeId(id).members(ids).coordinatorId(ids.get(0))
                .transport(new FaultyTransport(id, transport, faults, Set.copyOf(ids), strangers))
                .stateLog(log).initialState(initial).config(config);
        Set<String> versions = servable.get(id);
        if (versions != null) {
            b.servableVersions(versions);
        }
        CanaryNode node = b.build().start();
        transports.put(id, transport);
        logs.put(id, log);
        nodes.put(id, node);
        return node;
    }

    @Override
    public CanaryNode node(String id) {
        CanaryNode node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no node " + id + " in " + ids);
        }
        return node;
    }

    /** The socket transport of a running node. */
    public SocketTransport transport(String id) {
        return transports.get(id);
    }

    /** Where a node (or an extra peer) listens. */
    public HostPort address(String id) {
        return addresses.get(id);
    }

    @Override
    public List<String> ids() {
        return ids;
    }

    @Override
    public void crash(String id) {
        logs.get(id).crash(false);
        node(id).close();
    }

    @Override
    public void crashTearingLastRecord(String id) {
        logs.get(id).crash(true);
        node(id).close();
    }

    @Override
    public CanaryNode restart(String id) {
        node(id).close();
        return startNode(id);
    }

    @Override
    public void isolate(String id) {
        faults.isolate(id);
    }

    @Override
    public void drop(String from, String to, Class<? extends Message> type) {
        faults.drop(from, to, type);
    }

    @Override
    public void heal() {
        faults.heal();
    }

    @Override
    public List<LogRecord> logRecords(String id) {
        Path file = dataDir.resolve(id + ".log");
        return Files.exists(file) ? LogHistory.read(file).records() : List.of();
    }

    @Override
    public void awaitUntil(String what, BooleanSupplier condition, Duration max) {
        try {
            Awaitility.await(what).atMost(max).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not within " + max + " of real time: " + what, e);
        }
    }

    @Override
    public void close() {
        nodes.values().forEach(CanaryNode::close);
        boundPorts.values().forEach(ControlPort::close);
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temporary directory is harmless
            }
        }
    }
}
