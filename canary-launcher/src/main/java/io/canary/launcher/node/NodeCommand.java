package io.canary.launcher.node;

import io.canary.NodeConfig;
import io.canary.launcher.ExitCodes;
import io.canary.launcher.KeyValues;
import io.canary.launcher.LauncherException;
import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.proxy.ProxyOptions;
import io.canary.model.Weights;
import io.canary.net.BindPolicy;
import io.canary.net.HostPort;
import io.canary.net.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code canary node}: runs one node of the cluster until Ctrl+C or SIGTERM, which close the data
 * plane, the node and its log cleanly (exit code 130 or 143, set by the JVM).
 */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.canary.launcher.HelpDefaults",
        description = {
                "Runs one Canary node: its control plane (two-phase commit with the peers over TCP) and its "
                        + "HTTP data plane (routing state, health, predictions, weight changes, rollouts).",
                "",
                "Without --peers, the reference layout: node-a (coordinator), node-b, node-c on hosts "
                        + "$PEERS_NODE_A/B/C (default ${bundle:default.host}), control ports "
                        + "${bundle:default.firstControlPort}-${bundle:default.lastControlPort}, data ports "
                        + "${bundle:default.firstDataPort}-${bundle:default.lastDataPort}, "
                        + "state log ./logs/<node-id>.log.",
                ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
                "  canary node --role coordinator                # node-a",
                "  canary node --role participant --id node-b    # or: --role participant_b",
                "  canary node --id n2 --peers n1=10.0.0.1:7001,n2=10.0.0.2:7001 --data-port 8080",
                "  canary node --role coordinator --model v2=demo:latency=150ms,errors=0.05 --rollout v2",
                "  canary node --role coordinator --proxy-port 8080 --upstream v1=http://127.0.0.1:8001 "
                        + "--upstream v2=http://127.0.0.1:8002,http://127.0.0.1:8003"
        })
public final class NodeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--role", paramLabel = "ROLE", converter = NodeOptionTypes.RoleConverter.class,
            description = "coordinator (node-a), participant (needs --id), participant_b or participant_c.")
    NodeOptionTypes.Role role;

    @Option(names = "--id", paramLabel = "NODE_ID", description = "This node's id, e.g. node-b.")
    String id;

    @Option(names = "--peers", paramLabel = "ID=HOST:PORT,...", converter = NodeOptionTypes.PeersConverter.class,
            description = "Every node's control address, this one included, e.g. "
                    + "node-a=192.168.1.100:60001,node-b=192.168.1.101:60002. Default: the reference layout.")
    NodeOptionTypes.Peers peers;

    @Option(names = "--coordinator", paramLabel = "NODE_ID",
            description = "The coordinator's id. Default: this node with --role coordinator, else the first peer.")
    String coordinator;

    @Option(names = "--control-port", paramLabel = "PORT",
            description = "TCP port for peers. Default: this node's port in the peer list.")
    Integer controlPort;

    @Option(names = "--data-port", paramLabel = "PORT",
            description = "HTTP port of the data plane. Default: ${bundle:default.firstDataPort} for the first peer, "
                    + "${bundle:default.secondDataPort} for the second, ...")
    Integer dataPort;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = NodeSettings.DEFAULT_BIND_HOST,
            description = "Address both ports listen on. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "logs",
            description = "Directory of the state log <DIR>/<node-id>.log. Default: ${DEFAULT-VALUE}.")
    Path dataDir;

    @Option(names = "--cluster-id", paramLabel = "ID", defaultValue = NodeSettings.DEFAULT_CLUSTER_ID,
            description = "Nodes only talk to nodes of the same cluster id. Default: ${DEFAULT-VALUE}.")
    String clusterId;

    @Option(names = "--model", paramLabel = "VERSION=BACKEND", converter = NodeOptionTypes.ModelConverter.class,
            description = "A version and what serves it (repeatable): VERSION=demo[:latency=120ms,errors=0.01] "
                    + "(simulated) or VERSION=http://host:port/path (proxied). Default: v1 and v2 demo models.")
    List<NodeOptionTypes.ModelOption> models;

    @Option(names = "--initial-weights", paramLabel = "V=SHARE,...", converter = NodeOptionTypes.WeightsConverter.class,
            description = "Weights of a fresh cluster, e.g. v1=1.0,v2=0.0. Default: all on the first model.")
    Weights initialWeights;

    @Option(names = "--baseline", paramLabel = "VERSION",
            description = "The stable version. Default: the one with the largest initial weight.")
    String baseline;

    @Option(names = "--rollout", paramLabel = "VERSION",
            description = "Start a rollout of VERSION (steps ${bundle:default.rolloutSteps}; "
                    + "${bundle:default.rolloutInterval} per step) once every node is reachable.")
    String rollout;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "File holding the admin token. With a token (this file or $CANARY_ADMIN_TOKEN), changes "
                    + "need 'Authorization: Bearer <token>' from any caller; without, only loopback callers may change state.")
    Path adminTokenFile;

    @Option(names = "--webhook", paramLabel = "URL",
            description = "POST a JSON event (with a Slack-compatible 'text') to URL for every rollout event and every "
                    + "coordinator or fail-safe change (repeatable). Default: $CANARY_WEBHOOKS (comma-separated), else none.")
    List<String> webhooks;

    @Option(names = "--webhook-secret-file", paramLabel = "FILE",
            description = "File holding the secret that signs every webhook body (header X-Canary-Signature: "
                    + "sha256=<HMAC-SHA256>). Default: $CANARY_WEBHOOK_SECRET, else unsigned.")
    Path webhookSecretFile;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "Mutual TLS 1.3 between the nodes: PKCS12 file with this node's key and certificate "
                    + "(its CN or a DNS SAN must be the node id). Needs --tls-truststore; every node must use TLS.")
    Path tlsKeyStore;

    @Option(names = "--tls-truststore", paramLabel = "FILE",
            description = "PKCS12 file with the CA certificate(s) that sign the nodes' certificates.")
    Path tlsTrustStore;

    @Option(names = "--tls-password-file", paramLabel = "FILE",
            description = "File holding the password of both stores. Default: $CANARY_TLS_PASSWORD.")
    Path tlsPasswordFile;

    @Option(names = "--cluster-secret-file", paramLabel = "FILE",
            description = "The cluster secret (canary secret generate > cluster.key) or this node's key (canary secret "
                    + "derive): every control connection is then authenticated both ways and every frame carried with a tag. "
                    + "Every member needs one. Required when --bind is not a loopback address (unless TLS is on). "
                    + "Default: $CANARY_CLUSTER_SECRET_FILE, or the secret itself in $CANARY_CLUSTER_SECRET.")
    Path clusterSecretFile;

    @Option(names = "--prepare-timeout", paramLabel = "DURATION", description = "Wait for votes this long. Default: ${bundle:default.prepareTimeout}.")
    Duration prepareTimeout;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", description = "Default: ${bundle:default.heartbeatInterval}.")
    Duration heartbeatInterval;

    @Option(names = "--peer-timeout", paramLabel = "DURATION",
            description = "A peer silent this long is unreachable. Default: ${bundle:default.peerTimeout}.")
    Duration peerTimeout;

    @Option(names = "--health-interval", paramLabel = "DURATION", description = "Health exchange period. Default: ${bundle:default.healthInterval}.")
    Duration healthInterval;

    @Option(names = "--health-window", paramLabel = "DURATION", description = "Health sliding window. Default: ${bundle:default.healthWindow}.")
    Duration healthWindow;

    @Option(names = "--sync-timeout", paramLabel = "DURATION",
            description = "A restarted node serves its last state if no sync arrives in this time. Default: ${bundle:default.syncTimeout}.")
    Duration syncTimeout;

    @Option(names = "--request-timeout", paramLabel = "DURATION",
            description = "A change with no outcome after this long fails. Default: ${bundle:default.requestTimeout}.")
    Duration requestTimeout;

    @Mixin
    ProxyOptions proxyOptions = new ProxyOptions();

    @Option(names = {"-v", "--verbose"}, description = "Also print heartbeats, health exchange and every inbound message.")
    boolean verbose;

    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private static final java.util.logging.Logger CORE_LOGGER = java.util.logging.Logger.getLogger("io.canary");

    /** How nodes started by this command reach their peers; tests may replace it. */
    static TransportFactory transports = SocketTransports.factory();

    @Override
    public Integer call() {
        NodeSettings settings = settings(System.getenv());
        requireAuthenticationOffLoopback(settings);
        if (verbose) {
            // Read by slf4j-simple when the transport creates its loggers, i.e. after this line.
            System.setProperty("org.slf4j.simpleLogger.log.io.canary.net", "debug");
        }
        // The core's own INFO lines (commits, readiness) repeat what the console prints; show them with --verbose.
        CORE_LOGGER.setLevel(verbose ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING);
        NodeConsole console = new NodeConsole(settings.nodeId(), line -> {
            System.out.println(line);
            System.out.flush();
        });
        NodeProcess process = NodeProcess.start(settings, transports, console);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            console.line("Shutting down...");
            process.close();
            stopped.countDown();
        }, "canary-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCodes.OK;
    }

    /** Settings from the options; {@link LauncherException} (usage) naming the bad option. */
    NodeSettings settings(Map<String, String> env) {
        try {
            String nodeId = nodeId();
            NodeSettings.Builder b = NodeSettings.builder(nodeId).environment(env)
                    .bindHost(bind).dataDir(dataDir).clusterId(clusterId).verbose(verbose);
            if (peers != null) {
                b.members(peers.members());
            }
            if (coordinator != null) {
                b.coordinatorId(coordinator);
            } else if (role == NodeOptionTypes.Role.COORDINATOR) {
                b.coordinatorId(nodeId);
            }
            if (controlPort != null) {
                b.controlPort(controlPort);
            }
            if (dataPort != null) {
                b.dataPort(dataPort);
            }
            if (models != null && !models.isEmpty()) {
                b.models(NodeOptionTypes.byVersion(models));
            }
            if (initialWeights != null) {
                b.initialWeights(initialWeights);
            }
            b.baseline(baseline).rolloutCanary(rollout);
            b.nodeConfig(nodeConfig());
            b.adminToken(adminToken(env));
            b.webhooks(webhooks(env));
            b.tls(tls(env));
            SecretSource secret = SecretSource.resolve(clusterSecretFile, env);
            secret.warning().ifPresent(w -> System.err.println("warning: " + w));
            b.clusterSecret(secret.secret().orElse(null));
            b.proxy(proxyOptions.settings(bind));
            NodeSettings s = b.build();
            if (role == NodeOptionTypes.Role.COORDINATOR && !s.isCoordinator()) {
                throw new IllegalArgumentException("--role coordinator but the coordinator is " + s.coordinatorId());
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw LauncherException.usage(e.getMessage());
        }
    }

    /**
     * Safe by default: a control port other machines can reach must authenticate its peers. Checked
     * before anything binds (the transport checks again, for embedders).
     *
     * @throws LauncherException (usage) saying how to make and distribute a secret
     */
    static void requireAuthenticationOffLoopback(NodeSettings s) {
        if (s.clusterSecret().isPresent() || s.tls().isPresent() || BindPolicy.isLoopback(s.bindHost())) {
            return;
        }
        throw LauncherException.usage(s.nodeId() + " would listen on " + s.bindHost() + ":" + s.controlPort()
                + " with no authentication, so anyone reaching that port could pose as a member. Make a cluster secret once"
                + " ((umask 077; canary secret generate > cluster.key)), copy cluster.key to every member and start each"
                + " node with --cluster-secret-file cluster.key (or export CANARY_CLUSTER_SECRET_FILE=cluster.key); or, on"
                + " one machine only, --bind 127.0.0.1");
    }

    private String nodeId() {
        if (role == null) {
            if (id == null) {
                throw new IllegalArgumentException("say which node this is: --role coordinator, "
                        + "--role participant --id node-b, or --id NODE_ID");
            }
            return id;
        }
        String fromRole = switch (role) {
            case COORDINATOR -> id != null ? id : ReferenceLayout.COORDINATOR;
            case PARTICIPANT -> {
                if (id == null) {
                    throw new IllegalArgumentException("--role participant needs --id, e.g. --id node-b");
                }
                yield id;
            }
            case PARTICIPANT_B -> "node-b";
            case PARTICIPANT_C -> "node-c";
        };
        if (id != null && !id.equals(fromRole)) {
            throw new IllegalArgumentException("--role " + role.word() + " is " + fromRole + " but --id says " + id);
        }
        return fromRole;
    }

    private NodeConfig nodeConfig() {
        NodeConfig.Builder c = NodeConfig.custom();
        if (prepareTimeout != null) c.prepareTimeout(prepareTimeout);
        if (heartbeatInterval != null) c.heartbeatInterval(heartbeatInterval);
        if (peerTimeout != null) c.peerTimeout(peerTimeout);
        if (healthInterval != null) c.healthInterval(healthInterval);
        if (healthWindow != null) c.healthWindow(healthWindow);
        if (syncTimeout != null) c.syncTimeout(syncTimeout);
        if (requestTimeout != null) c.requestTimeout(requestTimeout);
        return c.build();
    }

    private String adminToken(Map<String, String> env) {
        if (adminTokenFile != null) {
            try {
                String token = Files.readString(adminTokenFile, StandardCharsets.UTF_8).trim();
                if (token.isEmpty()) {
                    throw new IllegalArgumentException("admin token file " + adminTokenFile + " is empty");
                }
                return token;
            } catch (IOException e) {
                throw LauncherException.environment("cannot read admin token file " + adminTokenFile + ": "
                        + e.getClass().getSimpleName().replace("Exception", "").replace("NoSuchFile", "no such file"), e);
            }
        }
        String token = env.get("CANARY_ADMIN_TOKEN");
        return token == null || token.isBlank() ? null : token.trim();
    }

    private io.canary.launcher.webhook.WebhookSettings webhooks(Map<String, String> env) {
        List<String> urls = webhooks != null && !webhooks.isEmpty() ? webhooks
                : env.get("CANARY_WEBHOOKS") == null ? List.of()
                : java.util.Arrays.stream(env.get("CANARY_WEBHOOKS").split("[,\\s]+")).filter(u -> !u.isBlank()).toList();
        List<java.net.URI> endpoints = urls.stream().map(io.canary.launcher.webhook.WebhookSettings::parseEndpoint).toList();
        String secret = null;
        if (webhookSecretFile != null) {
            try {
                secret = Files.readString(webhookSecretFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw LauncherException.environment("cannot read webhook secret file " + webhookSecretFile, e);
            }
            if (secret.isEmpty()) {
                throw new IllegalArgumentException("webhook secret file " + webhookSecretFile + " is empty");
            }
        } else if (env.get("CANARY_WEBHOOK_SECRET") != null && !env.get("CANARY_WEBHOOK_SECRET").isBlank()) {
            secret = env.get("CANARY_WEBHOOK_SECRET").strip();
        }
        if (webhookSecretFile != null && endpoints.isEmpty()) {
            throw new IllegalArgumentException("a webhook secret is set but no --webhook URL is given");
        }
        return io.canary.launcher.webhook.WebhookSettings.of(endpoints, java.util.Optional.ofNullable(secret));
    }

    private TlsSettings tls(Map<String, String> env) {
        if (tlsKeyStore == null && tlsTrustStore == null) {
            return null;
        }
        if (tlsKeyStore == null || tlsTrustStore == null) {
            throw new IllegalArgumentException("TLS needs both --tls-keystore and --tls-truststore");
        }
        String password;
        if (tlsPasswordFile != null) {
            try {
                password = Files.readString(tlsPasswordFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw LauncherException.environment("cannot read TLS password file " + tlsPasswordFile, e);
            }
        } else {
            password = env.get("CANARY_TLS_PASSWORD");
            if (password == null) {
                throw new IllegalArgumentException("TLS needs the stores' password: --tls-password-file or $CANARY_TLS_PASSWORD");
            }
        }
        return new TlsSettings(tlsKeyStore, password, tlsTrustStore, password);
    }
}
