package io.canary.launcher.node;

import io.canary.NodeConfig;
import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.proxy.ProxySettings;
import io.canary.model.Weights;
import io.canary.net.ClusterSecret;
import io.canary.net.HostPort;
import io.canary.net.TlsSettings;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a launcher node needs to start: who it is, who its peers are, where it listens, which
 * models it serves, and its timings. Immutable; {@link Builder#build()} fills the reference-layout
 * defaults and validates, naming the field and the bad value.
 */
public final class NodeSettings {
    public static final String DEFAULT_CLUSTER_ID = "canary";
    public static final String DEFAULT_BIND_HOST = "0.0.0.0";
    public static final Path DEFAULT_DATA_DIR = Path.of("logs");
    /** Largest request body the data plane accepts (larger gets 413). */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    private final String nodeId;
    private final String coordinatorId;
    private final Map<String, HostPort> members;
    private final String bindHost;
    private final int controlPort;
    private final int dataPort;
    private final Path dataDir;
    private final String clusterId;
    private final Map<String, ModelSpec> models;
    private final Weights initialWeights;
    private final String baseline;
    private final Optional<String> rolloutCanary;
    private final NodeConfig nodeConfig;
    private final Optional<String> adminToken;
    private final Optional<TlsSettings> tls;
    private final Optional<ClusterSecret> clusterSecret;
    private final boolean verbose;
    private final int maxBodyBytes;
    private final Optional<ProxySettings> proxy;
    private final io.canary.launcher.webhook.WebhookSettings webhooks;

    private NodeSettings(Builder b, Map<String, HostPort> members, String coordinatorId, Map<String, ModelSpec> models,
                         Weights initialWeights, String baseline) {
        this.nodeId = b.nodeId;
        this.members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        this.coordinatorId = coordinatorId;
        this.bindHost = b.bindHost;
        this.controlPort = b.controlPort != null ? b.controlPort : members.get(b.nodeId).port();
        this.dataPort = b.dataPort != null ? b.dataPort : NodeDefaults.dataPort(members, b.nodeId);
        this.dataDir = b.dataDir;
        this.clusterId = b.clusterId;
        this.models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        this.initialWeights = initialWeights;
        this.baseline = baseline;
        this.rolloutCanary = Optional.ofNullable(b.rolloutCanary);
        this.nodeConfig = b.nodeConfig;
        this.adminToken = Optional.ofNullable(b.adminToken);
        this.tls = Optional.ofNullable(b.tls);
        this.clusterSecret = Optional.ofNullable(b.clusterSecret);
        this.verbose = b.verbose;
        this.maxBodyBytes = b.maxBodyBytes;
        this.proxy = Optional.ofNullable(b.proxy);
        this.webhooks = b.webhooks;
    }

    /** A builder for node {@code nodeId}, defaulting to the reference layout read from the process environment. */
    public static Builder builder(String nodeId) {
        return new Builder(nodeId);
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder(nodeId);
        b.members = new LinkedHashMap<>(members);
        b.coordinatorId = coordinatorId;
        b.bindHost = bindHost;
        b.controlPort = controlPort;
        b.dataPort = dataPort;
        b.dataDir = dataDir;
        b.clusterId = clusterId;
        b.models = new LinkedHashMap<>(models);
        b.initialWeights = initialWeights;
        b.baseline = baseline;
        b.rolloutCanary = rolloutCanary.orElse(null);
        b.nodeConfig = nodeConfig;
        b.adminToken = adminToken.orElse(null);
        b.webhooks = webhooks;
        b.tls = tls.orElse(null);
        b.clusterSecret = clusterSecret.orElse(null);
        b.verbose = verbose;
        b.maxBodyBytes = maxBodyBytes;
        b.proxy = proxy.orElse(null);
        return b;
    }

    public String nodeId() { return nodeId; }
    public String coordinatorId() { return coordinatorId; }
    public boolean isCoordinator() { return nodeId.equals(coordinatorId); }
    /** Every member's control address, this node's included, in configuration order. */
    public Map<String, HostPort> members() { return members; }
    public String bindHost() { return bindHost; }
    /** The control (TCP) port to bind; 0 picks a free one. */
    public int controlPort() { return controlPort; }
    /** The data-plane (HTTP) port to bind; 0 picks a free one. */
    public int dataPort() { return dataPort; }
    public Path dataDir() { return dataDir; }
    /** The state log: {@code <dataDir>/<nodeId>.log}. */
    public Path logFile() { return dataDir.resolve(nodeId + ".log"); }
    public String clusterId() { return clusterId; }
    /** Version to the model serving it, in configuration order. */
    public Map<String, ModelSpec> models() { return models; }
    public Weights initialWeights() { return initialWeights; }
    public String baseline() { return baseline; }
    /** The canary to roll out once the cluster is ready ({@code --rollout}), if any. */
    public Optional<String> rolloutCanary() { return rolloutCanary; }
    public NodeConfig nodeConfig() { return nodeConfig; }
    /** The admin token mutating endpoints require; empty: loopback callers only. */
    public Optional<String> adminToken() { return adminToken; }
    /** Where this node posts its events ({@code --webhook}); none by default. */
    public io.canary.launcher.webhook.WebhookSettings webhooks() { return webhooks; }
    /** Mutual TLS between the nodes; empty: plain TCP. */
    public Optional<TlsSettings> tls() { return tls; }
    /** The secret the control connections authenticate with; empty: none (loopback or TLS only). */
    public Optional<ClusterSecret> clusterSecret() { return clusterSecret; }
    public boolean verbose() { return verbose; }
    public int maxBodyBytes() { return maxBodyBytes; }
    /** The transparent reverse proxy ({@code --proxy-port}, {@code --upstream}); empty: none. */
    public Optional<ProxySettings> proxy() { return proxy; }

    /** Versions this node can serve: those with a model, and those the proxy has an upstream for. */
    public Set<String> servableVersions() {
        Set<String> versions = new java.util.LinkedHashSet<>(models.keySet());
        proxy.ifPresent(p -> versions.addAll(p.upstreams().keySet()));
        return Collections.unmodifiableSet(versions);
    }

    @Override
    public String toString() {
        return "NodeSettings[nodeId=" + nodeId + ", coordinator=" + coordinatorId + ", members=" + members
                + ", bind=" + bindHost + ", controlPort=" + controlPort + ", dataPort=" + dataPort
                + ", dataDir=" + dataDir + ", clusterId=" + clusterId + ", models=" + models
                + ", initialWeights=" + initialWeights + ", baseline=" + baseline
                + ", rollout=" + rolloutCanary.orElse("none") + ", adminToken=" + (adminToken.isPresent() ? "set" : "none")
                + ", tls=" + tls.map(TlsSettings::toString).orElse("off")
                + ", clusterSecret=" + (clusterSecret.isPresent() ? "set" : "none")
                + ", " + nodeConfig + "]";
    }

    /** Validating builder; unset fields take the reference-layout defaults in {@link #build()}. */
    public static final class Builder {
        private final String nodeId;
        private Map<String, HostPort> members;
        private Map<String, String> env = System.getenv();
        private String coordinatorId;
        private String bindHost = DEFAULT_BIND_HOST;
        private Integer controlPort;
        private Integer dataPort;
        private Path dataDir = DEFAULT_DATA_DIR;
        private String clusterId = DEFAULT_CLUSTER_ID;
        private Map<String, ModelSpec> models;
        private Weights initialWeights;
        private String baseline;
        private String rolloutCanary;
        private NodeConfig nodeConfig = NodeConfig.ofDefaults();
        private String adminToken;
        private io.canary.launcher.webhook.WebhookSettings webhooks = io.canary.launcher.webhook.WebhookSettings.NONE;
        private TlsSettings tls;
        private ClusterSecret clusterSecret;
        private boolean verbose;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private ProxySettings proxy;

        private Builder(String nodeId) {
            if (nodeId == null || nodeId.isBlank()) {
                throw new IllegalArgumentException("node id must not be blank");
            }
            this.nodeId = nodeId.trim();
        }

        /** Every member's control address, this node's included; default: the reference layout. */
        public Builder members(Map<String, HostPort> members) {
            Objects.requireNonNull(members, "members");
            if (members.isEmpty()) {
                throw new IllegalArgumentException("the peer list must name at least one node");
            }
            this.members = new LinkedHashMap<>(members);
            return this;
        }

        /** The environment the reference layout reads its hosts from; default: the process's. */
        public Builder environment(Map<String, String> env) {
            this.env = Objects.requireNonNull(env, "env");
            return this;
        }

        /** The coordinator; default: the first member (node-a in the reference layout). */
        public Builder coordinatorId(String coordinatorId) {
            this.coordinatorId = coordinatorId;
            return this;
        }

        public Builder bindHost(String bindHost) {
            if (bindHost == null || bindHost.isBlank()) {
                throw new IllegalArgumentException("bind address must not be blank");
            }
            this.bindHost = bindHost.trim();
            return this;
        }

        /** Control port to bind; default: this node's port in the member list. 0 = any free port. */
        public Builder controlPort(int port) {
            this.controlPort = checkPort("control port", port);
            return this;
        }

        /** Data port to bind; default: 50051 + this node's index in the member list. 0 = any free port. */
        public Builder dataPort(int port) {
            this.dataPort = checkPort("data port", port);
            return this;
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        public Builder clusterId(String clusterId) {
            if (clusterId == null || clusterId.isBlank()) {
                throw new IllegalArgumentException("cluster id must not be blank");
            }
            this.clusterId = clusterId.trim();
            return this;
        }

        /** Version to model; default: v1 and v2 simulated demo models. */
        public Builder models(Map<String, ModelSpec> models) {
            Objects.requireNonNull(models, "models");
            if (models.isEmpty()) {
                throw new IllegalArgumentException("at least one model is needed");
            }
            this.models = new LinkedHashMap<>(models);
            return this;
        }

        /** The weights of a fresh cluster; default: everything on the first model. */
        public Builder initialWeights(Weights weights) {
            this.initialWeights = Objects.requireNonNull(weights, "initialWeights");
            return this;
        }

        /** The stable version; default: the version with the largest initial weight. */
        public Builder baseline(String baseline) {
            this.baseline = baseline;
            return this;
        }

        /** Roll this version out once the cluster is ready; null for none. */
        public Builder rolloutCanary(String canary) {
            this.rolloutCanary = canary;
            return this;
        }

        public Builder nodeConfig(NodeConfig config) {
            this.nodeConfig = Objects.requireNonNull(config, "nodeConfig");
            return this;
        }

        /** Require {@code Authorization: Bearer <token>} on mutating endpoints; null: loopback only. */
        /** Webhook endpoints and secret; default none. */
        public Builder webhooks(io.canary.launcher.webhook.WebhookSettings settings) {
            this.webhooks = java.util.Objects.requireNonNull(settings, "webhooks");
            return this;
        }

        public Builder adminToken(String token) {
            if (token != null && token.isBlank()) {
                throw new IllegalArgumentException("admin token must not be blank");
            }
            this.adminToken = token == null ? null : token.trim();
            return this;
        }

        /** Mutual TLS between the nodes (every node needs it); null: plain TCP. */
        public Builder tls(TlsSettings tls) {
            this.tls = tls;
            return this;
        }

        /** The cluster secret (or this node's key) the control plane authenticates with; null for none. */
        public Builder clusterSecret(ClusterSecret secret) {
            this.clusterSecret = secret;
            return this;
        }

        public Builder verbose(boolean verbose) {
            this.verbose = verbose;
            return this;
        }

        public Builder maxBodyBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("max body size must be positive, got " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /** The transparent reverse proxy; null for none. */
        public Builder proxy(ProxySettings proxy) {
            this.proxy = proxy;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the settings contradict each other: this node or the
         *     coordinator not in the member list, initial weights naming a version without a model,
         *     a rollout canary without a model or equal to the baseline
         */
        public NodeSettings build() {
            Map<String, HostPort> m = members != null ? members : ReferenceLayout.controlAddresses(env);
            if (!m.containsKey(nodeId)) {
                throw new IllegalArgumentException("node id '" + nodeId + "' is not in the peer list " + m.keySet());
            }
            String coordinator = coordinatorId != null ? coordinatorId.trim() : m.keySet().iterator().next();
            if (!m.containsKey(coordinator)) {
                throw new IllegalArgumentException("coordinator '" + coordinator + "' is not in the peer list " + m.keySet());
            }
            Map<String, ModelSpec> mods = models != null ? models : proxy != null ? NodeDefaults.upstreamModels(proxy) : NodeDefaults.models();
            Weights weights = initialWeights != null ? initialWeights : NodeDefaults.weights(mods);
            for (String v : weights.versions()) {
                if (!mods.containsKey(v) && (proxy == null || !proxy.upstreams().containsKey(v))) {
                    throw new IllegalArgumentException("initial weights name version '" + v
                            + "' but no model serves it (models: " + mods.keySet() + ")");
                }
            }
            String base = baseline != null ? baseline : NodeDefaults.largestShare(weights);
            if (!weights.contains(base)) {
                throw new IllegalArgumentException("baseline '" + base + "' is not among the initial weights " + weights);
            }
            if (rolloutCanary != null) {
                if (!mods.containsKey(rolloutCanary) && (proxy == null || !proxy.upstreams().containsKey(rolloutCanary))) {
                    throw new IllegalArgumentException("rollout canary '" + rolloutCanary
                            + "' has no model (models: " + mods.keySet() + ")");
                }
                if (rolloutCanary.equals(base)) {
                    throw new IllegalArgumentException("rollout canary '" + rolloutCanary + "' is the baseline");
                }
            }
            return new NodeSettings(this, m, coordinator, mods, weights, base);
        }

        private static int checkPort(String field, int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException(field + " must be in [0,65535], got " + port);
            }
            return port;
        }
    }
}
