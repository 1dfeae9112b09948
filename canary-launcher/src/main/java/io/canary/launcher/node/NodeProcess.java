package io.canary.launcher.node;

import io.canary.CanaryNode;
import io.canary.launcher.ExitCodes;
import io.canary.launcher.LauncherException;
import io.canary.launcher.http.DataPlaneOptions;
import io.canary.launcher.http.DataPlaneServer;
import io.canary.launcher.webhook.WebhookDispatcher;
import io.canary.launcher.webhook.WebhookNotifier;
import io.canary.launcher.http.NodeApi;
import io.canary.launcher.http.NodeCounters;
import io.canary.launcher.model.ModelBackend;
import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.proxy.ProxyNode;
import io.canary.launcher.proxy.ProxyServer;
import io.canary.launcher.proxy.ProxyStats;
import io.canary.launcher.proxy.UpstreamClients;
import io.canary.log.LogDamagedException;
import io.canary.log.StateLogException;
import io.canary.model.RoutingState;
import io.canary.transport.Transport;
import io.canary.transport.TransportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.HttpClient;

/**
 * One running launcher node: the transport, the {@link CanaryNode} and its HTTP data plane, built
 * from {@link NodeSettings}. Used by {@code canary node}, by {@code canary demo} (several in one
 * JVM) and by tests.
 *
 * <p>{@link #start} either returns a fully started node or throws a {@link LauncherException}
 * with one clear line (port in use, unwritable data directory), having released whatever it had
 * started. {@link #close()} stops the data plane first (no new requests), then the node (its
 * timers, transport and log). Thread-safe; idempotent.
 */
public final class NodeProcess implements AutoCloseable {
    /** A change that has no outcome after the node's request timeout plus this gets 504. */
    private static final Duration ANSWER_GRACE = Duration.ofSeconds(2);

    private final NodeSettings settings;
    private final NodeConsole console;
    private final CanaryNode node;
    private final DataPlaneServer dataPlane;
    private final ProxyServer proxy;
    private final ModelRuntime models;
    private final NodeWatcher watcher;
    private final int controlPort;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set once after start when the node has webhooks; closed with the node. */
    private volatile WebhookNotifier webhooks;

    private NodeProcess(NodeSettings settings, NodeConsole console, CanaryNode node, DataPlaneServer dataPlane,
                        ProxyServer proxy, ModelRuntime models, NodeWatcher watcher, int controlPort) {
        this.settings = settings;
        this.console = console;
        this.node = node;
        this.dataPlane = dataPlane;
        this.proxy = proxy;
        this.models = models;
        this.watcher = watcher;
        this.controlPort = controlPort;
    }

    /**
     * Starts a node and prints its start-up lines to {@code console}.
     *
     * @throws LauncherException if anything cannot start; the message is the line to show
     */
    public static NodeProcess start(NodeSettings settings, TransportFactory transports, NodeConsole console) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(transports, "transports");
        Objects.requireNonNull(console, "console");
        checkDataDir(settings);
        ModelRuntime models = new ModelRuntime(settings.nodeId(), settings.models());
        CanaryNode node = null;
        DataPlaneServer dataPlane = null;
        ProxyServer proxy = null;
        try {
            Transport raw = transports.create(settings);
            NodeCounters counters = new NodeCounters();
            ObservedTransport transport = new ObservedTransport(raw, console, counters, settings.verbose());
            try {
                node = CanaryNode.builder()
                        .nodeId(settings.nodeId())
                        .members(java.util.List.copyOf(settings.members().keySet()))
                        .coordinatorId(settings.coordinatorId())
                        .transport(transport)
                        .dataDir(settings.dataDir())
                        .initialState(RoutingState.initial(settings.initialWeights(), settings.baseline()))
                        .servableVersions(settings.servableVersions())
                        .config(settings.nodeConfig())
                        .build();
            } catch (StateLogException e) {
                transport.close();
                throw LauncherException.environment(settings.nodeId() + " cannot open its state log: " + e.getMessage(), e);
            }
            node.addListener(state -> {
                counters.committed(state);
                console.committed(state);
            });
            try {
                node.start();
            } catch (LogDamagedException e) {
                throw new LauncherException(ExitCodes.DAMAGED_LOG, settings.nodeId() + " cannot start: " + e.getMessage(), e);
            } catch (TransportException e) {
                throw LauncherException.environment(settings.nodeId() + " cannot start its control plane: "
                        + e.getMessage(), e);
            }
            int controlPort = transports.boundPort(raw, settings);
            DataPlaneOptions options = DataPlaneOptions.of(settings.bindHost(), settings.dataPort(),
                    settings.maxBodyBytes(), settings.adminToken(),
                    settings.nodeConfig().requestTimeout().plus(ANSWER_GRACE));
            dataPlane = DataPlaneServer.start(options, NodeApi.of(node), models.backends(), counters);
            printStartup(settings, console, controlPort, dataPlane.port());
            if (settings.proxy().isPresent()) {
                CanaryNode n = node;
                ProxyStats proxyStats = new ProxyStats();
                counters.addMetrics(proxyStats::renderMetrics);
                proxy = ProxyServer.start(settings.proxy().get(), ProxyNode.of(n, counters::request), proxyStats);
                console.line("Proxy on " + settings.bindHost() + ":" + proxy.port() + " -> " + settings.proxy().get().upstreams().values());
            }
            NodeWatcher watcher = NodeWatcher.start(node, settings, console);
            NodeProcess process = new NodeProcess(settings, console, node, dataPlane, proxy, models, watcher, controlPort);
            if (!settings.webhooks().endpoints().isEmpty()) {
                WebhookDispatcher dispatcher = new WebhookDispatcher(settings.webhooks());
                counters.addMetrics(dispatcher::renderMetrics);
                process.webhooks = WebhookNotifier.start(node, dispatcher);
                console.line("Webhooks: " + settings.webhooks().endpoints().size() + " endpoint(s)"
                        + (settings.webhooks().secret().isPresent() ? ", signed" : ", unsigned"));
            }
            return process;
        } catch (RuntimeException e) {
            if (proxy != null) {
                proxy.close();
            }
            if (dataPlane != null) {
                dataPlane.close();
            }
            if (node != null) {
                closeQuietly(node);
            }
            models.close();
            throw e;
        }
    }

    private static void printStartup(NodeSettings s, NodeConsole console, int controlPort, int dataPort) {
        String role = s.isCoordinator() ? "Coordinator" : "Participant";
        console.line(role + " started, listening on " + s.bindHost() + ":" + controlPort);
        console.line("Data plane on " + s.bindHost() + ":" + dataPort);
        console.line("Peers: " + s.members() + (s.tls().isPresent() ? " (mutual TLS)" : "")
                + (s.clusterSecret().isPresent() ? " (authenticated by the cluster secret)" : ""));
        Map<String, String> models = new LinkedHashMap<>();
        s.models().forEach((v, spec) -> models.put(v, spec.describe()));
        console.line("Models: " + models + "; state log " + s.logFile());
    }

    private static void checkDataDir(NodeSettings s) {
        try {
            Files.createDirectories(s.dataDir());
            // Open (and create) the log the way the node will, so that a read-only directory or
            // file is reported now, in one line, rather than as a failed vote later.
            Files.newOutputStream(s.logFile(), StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
        } catch (IOException | SecurityException e) {
            throw LauncherException.environment("cannot write the state log " + s.logFile() + " (data dir "
                    + s.dataDir() + "): " + describe(e), e);
        }
    }

    private static String describe(Exception e) {
        String name = e.getClass().getSimpleName();
        return switch (name) {
            case "AccessDeniedException" -> "permission denied";
            case "FileSystemException" -> e.getMessage();
            case "FileAlreadyExistsException" -> "a file is in the way of the directory";
            case "NoSuchFileException" -> "no such directory";
            default -> e.getMessage() != null ? e.getMessage() : name;
        };
    }

    public String nodeId() {
        return settings.nodeId();
    }

    public NodeSettings settings() {
        return settings;
    }

    /** The node, for in-process use (demo, tests). */
    public CanaryNode node() {
        return node;
    }

    /** The control (TCP) port the node listens on. */
    public int controlPort() {
        return controlPort;
    }

    /** The data-plane (HTTP) port the node listens on. */
    public int dataPort() {
        return dataPlane.port();
    }

    /** The proxy, if {@code --proxy-port} was given. */
    public java.util.Optional<ProxyServer> proxy() {
        return java.util.Optional.ofNullable(proxy);
    }

    /** {@code http://127.0.0.1:<dataPort>}: where a client on this machine reaches the data plane. */
    public String dataUrl() {
        return "http://127.0.0.1:" + dataPort();
    }

    /** Stops the data plane, then the node (timers, transport, log), then the models. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (proxy != null) {
            proxy.close();
        }
        dataPlane.close();
        watcher.close();
        if (webhooks != null) {
            webhooks.close();
        }
        closeQuietly(node);
        models.close();
        console.line("Stopped; committed version " + safeVersion() + " is in " + settings.logFile());
    }

    private String safeVersion() {
        try {
            return String.valueOf(node.state().version());
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static void closeQuietly(CanaryNode node) {
        try {
            node.close();
        } catch (RuntimeException ignored) {
            // Closing is best effort; the log is append-only and replays whatever was written.
        }
    }

    /** The models of one node and the threads they share. */
    static final class ModelRuntime implements AutoCloseable {
        private final ScheduledExecutorService timer;
        private final HttpClient http;
        private final Map<String, ModelBackend> backends = new LinkedHashMap<>();

        ModelRuntime(String nodeId, Map<String, ModelSpec> specs) {
            this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "canary-models-" + nodeId);
                t.setDaemon(true);
                return t;
            });
            // Jetty's client, configured as the proxy's; only started when a version is served over HTTP.
            boolean anyHttp = specs.values().stream().anyMatch(s -> s instanceof ModelSpec.Http);
            this.http = anyHttp ? UpstreamClients.started("canary-models-http-" + nodeId) : null;
            specs.forEach((version, spec) -> backends.put(version, ModelBackend.create(version, spec, timer, http)));
        }

        Map<String, ModelBackend> backends() {
            return backends;
        }

        @Override
        public void close() {
            backends.values().forEach(ModelBackend::close);
            if (http != null) {
                UpstreamClients.stop(http);
            }
            timer.shutdownNow();
        }
    }
}
