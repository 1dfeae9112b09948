package io.canary.net;

import io.canary.net.codec.Hello;
import io.canary.net.codec.WireFormat;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Settings of a {@link SocketTransport}. Immutable; build with {@link #custom()} or derive a variant
 * with {@link #from(SocketTransportConfig)}. Every setter validates and names the field and the bad value.
 */
public final class SocketTransportConfig {
    /** Listen on every interface by default, so peers on other machines can connect. */
    public static final String DEFAULT_BIND_HOST = "0.0.0.0";
    /** How long a TCP connect, and then the peer's Hello, may take. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** First reconnect delay after a failed attempt; doubles per failure. */
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(100);
    /** Reconnect delays never exceed this. */
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(5);
    /** Each delay is shortened by a random fraction up to this, so restarted peers do not reconnect in lockstep. */
    public static final double DEFAULT_BACKOFF_JITTER = 0.2;
    /** Messages waiting for one peer's connection; more are dropped (the protocol resends). */
    public static final int DEFAULT_QUEUE_CAPACITY = 1024;
    /**
     * A queued message older than this when its peer's connection can take it is dropped, not
     * sent. The protocol resends what still matters; without a limit, a command whose caller gave
     * up during a peer's outage would be delivered, and applied, whenever the peer came back.
     */
    public static final Duration DEFAULT_MAX_QUEUE_AGE = Duration.ofSeconds(5);
    /**
     * A connection whose unsent bytes made no progress for this long (the peer stopped reading, or
     * its host vanished without a reset) is closed and dialled again, so a stuck peer holds at most
     * one batch of bytes and its bounded queue, never a thread or the other peers (NIO model).
     */
    public static final Duration DEFAULT_WRITE_STALL_TIMEOUT = Duration.ofSeconds(10);

    private final String clusterId;
    private final HostPort bind;
    private final Map<String, HostPort> peers;
    private final int maxFrameBytes;
    private final Duration connectTimeout;
    private final Duration backoffInitial;
    private final Duration backoffMax;
    private final double backoffJitter;
    private final int queueCapacity;
    private final Duration maxQueueAge;
    private final Duration writeStallTimeout;
    private final IoModel ioModel;
    private final int protocolVersion;
    private final TlsSettings tls;
    private final ClusterSecret clusterSecret;

    private SocketTransportConfig(Builder b) {
        this.clusterId = b.clusterId;
        this.bind = new HostPort(b.bindHost, b.port);
        this.peers = Collections.unmodifiableMap(new LinkedHashMap<>(b.peers));
        this.maxFrameBytes = b.maxFrameBytes;
        this.connectTimeout = b.connectTimeout;
        this.backoffInitial = b.backoffInitial;
        this.backoffMax = b.backoffMax;
        this.backoffJitter = b.backoffJitter;
        this.queueCapacity = b.queueCapacity;
        this.maxQueueAge = b.maxQueueAge;
        this.writeStallTimeout = b.writeStallTimeout;
        this.ioModel = b.ioModel;
        this.protocolVersion = b.protocolVersion;
        this.tls = b.tls;
        this.clusterSecret = b.clusterSecret;
    }

    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}, e.g. to change the port of a copy. */
    public static Builder from(SocketTransportConfig base) {
        Builder b = new Builder();
        b.clusterId = base.clusterId;
        b.bindHost = base.bind.host();
        b.port = base.bind.port();
        b.peers.putAll(base.peers);
        b.maxFrameBytes = base.maxFrameBytes;
        b.connectTimeout = base.connectTimeout;
        b.backoffInitial = base.backoffInitial;
        b.backoffMax = base.backoffMax;
        b.backoffJitter = base.backoffJitter;
        b.queueCapacity = base.queueCapacity;
        b.maxQueueAge = base.maxQueueAge;
        b.writeStallTimeout = base.writeStallTimeout;
        b.ioModel = base.ioModel;
        b.protocolVersion = base.protocolVersion;
        b.tls = base.tls;
        b.clusterSecret = base.clusterSecret;
        return b;
    }

    /** Only nodes with the same cluster id talk to each other. */
    public String clusterId() { return clusterId; }
    /** Where this node listens (its control port); port 0 picks a free one. */
    public HostPort bind() { return bind; }
    /** Every member's control address by node id, sorted by id; may include this node (ignored for sending). */
    public Map<String, HostPort> peers() { return peers; }
    /** Hard limit of one frame, header included. */
    public int maxFrameBytes() { return maxFrameBytes; }
    public Duration connectTimeout() { return connectTimeout; }
    public Duration backoffInitial() { return backoffInitial; }
    public Duration backoffMax() { return backoffMax; }
    public double backoffJitter() { return backoffJitter; }
    public int queueCapacity() { return queueCapacity; }
    /** See {@link #DEFAULT_MAX_QUEUE_AGE}. */
    public Duration maxQueueAge() { return maxQueueAge; }
    /** See {@link #DEFAULT_WRITE_STALL_TIMEOUT}. */
    public Duration writeStallTimeout() { return writeStallTimeout; }
    /**
     * How the sockets are driven (see {@link IoModel}), with or without mutual TLS.
     * Default: the system property {@value IoModel#PROPERTY}, else {@link IoModel#NIO}.
     */
    public IoModel ioModel() { return ioModel; }

    /**
     * The model this configuration really runs: {@link #ioModel()} (mutual TLS runs on either since the
     * NIO model drives TLS through {@code SSLEngine}; kept for callers that still ask).
     */
    public IoModel effectiveIoModel() {
        return ioModel;
    }
    /** The protocol version this transport announces: {@link WireFormat#PROTOCOL_VERSION} except in tests. */
    public int protocolVersion() { return protocolVersion; }
    /** Mutual TLS settings; empty for plain TCP (the default). */
    public Optional<TlsSettings> tls() { return Optional.ofNullable(tls); }
    /** The secret every control connection is authenticated with; empty: none (loopback or TLS only). */
    public Optional<ClusterSecret> clusterSecret() { return Optional.ofNullable(clusterSecret); }

    /** True if connections are authenticated, by a cluster secret or mutual TLS. */
    public boolean authenticated() {
        return clusterSecret != null || tls != null;
    }

    @Override
    public String toString() {
        return "SocketTransportConfig[clusterId=" + clusterId + ", bind=" + bind + ", peers=" + peers
                + ", maxFrameBytes=" + maxFrameBytes + ", connectTimeout=" + connectTimeout
                + ", backoff=" + backoffInitial + ".." + backoffMax + " jitter " + backoffJitter
                + ", queueCapacity=" + queueCapacity + ", maxQueueAge=" + maxQueueAge
                + ", writeStallTimeout=" + writeStallTimeout + ", io=" + ioModel + ", tls=" + (tls != null ? tls : "off")
                + ", clusterSecret=" + (clusterSecret != null ? clusterSecret : "none") + "]";
    }

    /** Validating builder. */
    public static final class Builder {
        private String clusterId;
        private String bindHost = DEFAULT_BIND_HOST;
        private int port = 0;
        private final Map<String, HostPort> peers = new TreeMap<>();
        private int maxFrameBytes = WireFormat.DEFAULT_MAX_FRAME_BYTES;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration backoffInitial = DEFAULT_BACKOFF_INITIAL;
        private Duration backoffMax = DEFAULT_BACKOFF_MAX;
        private double backoffJitter = DEFAULT_BACKOFF_JITTER;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private Duration maxQueueAge = DEFAULT_MAX_QUEUE_AGE;
        private Duration writeStallTimeout = DEFAULT_WRITE_STALL_TIMEOUT;
        private IoModel ioModel = IoModel.fromSystemProperty();
        private int protocolVersion = WireFormat.PROTOCOL_VERSION;
        private TlsSettings tls;
        private ClusterSecret clusterSecret;

        private Builder() {
        }

        /** Required. 1..256 characters. */
        public Builder clusterId(String id) {
            clusterId = id("clusterId", id);
            return this;
        }

        /** The address to listen on; default {@code 0.0.0.0} (every interface). */
        public Builder bindHost(String host) {
            Objects.requireNonNull(host, "bindHost");
            if (host.isBlank()) {
                throw new IllegalArgumentException("bindHost must not be blank");
            }
            bindHost = host;
            return this;
        }

        /** The control port; 0 (the default) picks a free port, see {@link SocketTransport#port()}. */
        public Builder port(int p) {
            if (p < 0 || p > 65_535) {
                throw new IllegalArgumentException("port must be in [0,65535], got " + p);
            }
            port = p;
            return this;
        }

        /** Adds or replaces one member's control address. */
        public Builder peer(String nodeId, HostPort address) {
            Objects.requireNonNull(address, "address of " + nodeId);
            if (address.port() == 0) {
                throw new IllegalArgumentException("port of peer " + nodeId + " must be in [1,65535], got 0");
            }
            peers.put(id("peer node id", nodeId), address);
            return this;
        }

        /** Adds or replaces one member's control address, as {@code host:port}. */
        public Builder peer(String nodeId, String hostPort) {
            return peer(nodeId, HostPort.parse(hostPort));
        }

        /** Replaces every member's address. */
        public Builder peers(Map<String, HostPort> all) {
            Objects.requireNonNull(all, "peers");
            peers.clear();
            all.forEach(this::peer);
            return this;
        }

        public Builder maxFrameBytes(int bytes) {
            if (bytes < WireFormat.MIN_MAX_FRAME_BYTES || bytes > WireFormat.MAX_MAX_FRAME_BYTES) {
                throw new IllegalArgumentException("maxFrameBytes must be in [" + WireFormat.MIN_MAX_FRAME_BYTES + ","
                        + WireFormat.MAX_MAX_FRAME_BYTES + "], got " + bytes);
            }
            maxFrameBytes = bytes;
            return this;
        }

        public Builder connectTimeout(Duration d) { connectTimeout = millis("connectTimeout", d); return this; }
        public Builder backoffInitial(Duration d) { backoffInitial = millis("backoffInitial", d); return this; }
        public Builder backoffMax(Duration d) { backoffMax = millis("backoffMax", d); return this; }

        /** A fraction in [0,1]: each delay is shortened by a random part of it up to this. */
        public Builder backoffJitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("backoffJitter must be in [0,1], got " + fraction);
            }
            backoffJitter = fraction;
            return this;
        }

        public Builder queueCapacity(int messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("queueCapacity must be >= 1, got " + messages);
            }
            queueCapacity = messages;
            return this;
        }

        /** Queued messages older than this are dropped instead of sent; see {@link #DEFAULT_MAX_QUEUE_AGE}. */
        public Builder maxQueueAge(Duration age) {
            if (age == null || age.isNegative() || age.isZero()) {
                throw new IllegalArgumentException("maxQueueAge must be positive, got " + age);
            }
            maxQueueAge = age;
            return this;
        }

        /** See {@link #DEFAULT_WRITE_STALL_TIMEOUT}; in [1ms,1h]. */
        public Builder writeStallTimeout(Duration d) { writeStallTimeout = millis("writeStallTimeout", d); return this; }

        /** How the sockets are driven; see {@link IoModel}. */
        public Builder ioModel(IoModel model) {
            ioModel = Objects.requireNonNull(model, "ioModel");
            return this;
        }

        /** Mutual TLS 1.3 with these stores; {@code null} for plain TCP (the default). Every member must agree. */
        public Builder tls(TlsSettings settings) {
            tls = settings;
            return this;
        }

        /**
         * Authenticate every control connection with this secret (challenge-response both ways, then a
         * tag on every frame); {@code null} for none, which only a loopback bind or TLS allows. Every
         * member must have one (the same cluster secret, or node keys derived from it).
         */
        public Builder clusterSecret(ClusterSecret secret) {
            clusterSecret = secret;
            return this;
        }

        /** For tests of version mismatch only: announce another protocol version. */
        Builder protocolVersion(int version) {
            if (version < 0 || version > 0xFFFF) {
                throw new IllegalArgumentException("protocolVersion must be in [0,65535], got " + version);
            }
            protocolVersion = version;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the cluster id is missing or the backoff maximum is
         *     below its initial delay
         */
        public SocketTransportConfig build() {
            if (clusterId == null) {
                throw new IllegalArgumentException("clusterId is required");
            }
            if (backoffMax.compareTo(backoffInitial) < 0) {
                throw new IllegalArgumentException("backoffMax (" + backoffMax + ") must not be below backoffInitial ("
                        + backoffInitial + ")");
            }
            return new SocketTransportConfig(this);
        }

        private static String id(String field, String id) {
            Objects.requireNonNull(id, field);
            if (id.isBlank() || id.length() > Hello.MAX_ID_BYTES) {
                throw new IllegalArgumentException(field + " must be 1.." + Hello.MAX_ID_BYTES
                        + " non-blank characters, got '" + id + "'");
            }
            return id;
        }

        private static Duration millis(String field, Duration d) {
            Objects.requireNonNull(d, field);
            if (d.toMillis() < 1 || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(field + " must be in [1ms,1h], got " + d);
            }
            return d;
        }
    }
}
