package io.canary.launcher.proxy;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The transparent reverse proxy's configuration: where it listens, the upstreams of every version,
 * the routing rules, mirroring, limits and timeouts. Immutable; {@link #builder()} validates each
 * field with a message naming it and the bad value.
 */
public final class ProxySettings {
    public static final String DEFAULT_STICKY_HEADER = "X-Canary-Key";
    /** Above the kernel's 1 s and 3 s SYN retransmissions, so an upstream's full accept queue is not a failure yet. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** An upstream silent this long (no header, no body byte) gets the client a 504. */
    public static final Duration DEFAULT_UPSTREAM_TIMEOUT = Duration.ofSeconds(30);
    /** A client silent this long (mid-headers, mid-body, or idle between requests) is disconnected. */
    public static final Duration DEFAULT_CLIENT_TIMEOUT = Duration.ofSeconds(30);
    /** Request bodies above this get 413; streamed, so this bounds nothing in memory. */
    public static final long DEFAULT_MAX_BODY_BYTES = 100L * 1024 * 1024;
    /** Request line plus headers above this get 431. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
    /** Keep-alive connections per upstream endpoint, at most. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT = 256;

    private final String bindHost;
    private final int port;
    private final Map<String, UpstreamSpec> upstreams;
    private final String stickyHeader;
    private final Optional<String> stickyCookie;
    private final List<PinRule> pins;
    private final Optional<MirrorSpec> mirror;
    private final Duration connectTimeout;
    private final Duration upstreamTimeout;
    private final Duration clientTimeout;
    private final long maxBodyBytes;
    private final int maxHeaderBytes;
    private final int maxConnectionsPerEndpoint;

    private ProxySettings(Builder b) {
        this.bindHost = b.bindHost;
        this.port = b.port;
        this.upstreams = Collections.unmodifiableMap(new LinkedHashMap<>(b.upstreams));
        this.stickyHeader = b.stickyHeader;
        this.stickyCookie = Optional.ofNullable(b.stickyCookie);
        this.pins = List.copyOf(b.pins);
        this.mirror = Optional.ofNullable(b.mirror);
        this.connectTimeout = b.connectTimeout;
        this.upstreamTimeout = b.upstreamTimeout;
        this.clientTimeout = b.clientTimeout;
        this.maxBodyBytes = b.maxBodyBytes;
        this.maxHeaderBytes = b.maxHeaderBytes;
        this.maxConnectionsPerEndpoint = b.maxConnectionsPerEndpoint;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.bindHost = bindHost;
        b.port = port;
        b.upstreams = new LinkedHashMap<>(upstreams);
        b.stickyHeader = stickyHeader;
        b.stickyCookie = stickyCookie.orElse(null);
        b.pins = List.copyOf(pins);
        b.mirror = mirror.orElse(null);
        b.connectTimeout = connectTimeout;
        b.upstreamTimeout = upstreamTimeout;
        b.clientTimeout = clientTimeout;
        b.maxBodyBytes = maxBodyBytes;
        b.maxHeaderBytes = maxHeaderBytes;
        b.maxConnectionsPerEndpoint = maxConnectionsPerEndpoint;
        return b;
    }

    public String bindHost() { return bindHost; }
    /** The port to bind; 0 picks a free one. */
    public int port() { return port; }
    /** Version to its upstream, in configuration order. */
    public Map<String, UpstreamSpec> upstreams() { return upstreams; }
    /** The header whose value is the sticky key. */
    public String stickyHeader() { return stickyHeader; }
    /** A cookie whose value is the sticky key when the header is absent. */
    public Optional<String> stickyCookie() { return stickyCookie; }
    /** Pin rules, tried in order; the first that matches a servable version wins. */
    public List<PinRule> pins() { return pins; }
    public Optional<MirrorSpec> mirror() { return mirror; }
    public Duration connectTimeout() { return connectTimeout; }
    public Duration upstreamTimeout() { return upstreamTimeout; }
    public Duration clientTimeout() { return clientTimeout; }
    public long maxBodyBytes() { return maxBodyBytes; }
    public int maxHeaderBytes() { return maxHeaderBytes; }
    public int maxConnectionsPerEndpoint() { return maxConnectionsPerEndpoint; }

    @Override
    public String toString() {
        return "ProxySettings[" + bindHost + ":" + port + ", upstreams=" + upstreams.values() + ", sticky=" + stickyHeader
                + stickyCookie.map(c -> "/cookie " + c).orElse("") + ", pins=" + pins + ", mirror="
                + mirror.map(MirrorSpec::toString).orElse("off") + ", connect=" + connectTimeout.toMillis() + "ms, upstream="
                + upstreamTimeout.toMillis() + "ms, client=" + clientTimeout.toMillis() + "ms, maxBody=" + maxBodyBytes
                + ", maxHeader=" + maxHeaderBytes + "]";
    }

    /** Validating builder; defaults as the constants above, the pins default to {@link PinRule#VERSION_HEADER}. */
    public static final class Builder {
        private String bindHost = "0.0.0.0";
        private int port;
        private Map<String, UpstreamSpec> upstreams = new LinkedHashMap<>();
        private String stickyHeader = DEFAULT_STICKY_HEADER;
        private String stickyCookie;
        private List<PinRule> pins = List.of(PinRule.VERSION_HEADER);
        private MirrorSpec mirror;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration upstreamTimeout = DEFAULT_UPSTREAM_TIMEOUT;
        private Duration clientTimeout = DEFAULT_CLIENT_TIMEOUT;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
        private int maxConnectionsPerEndpoint = DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT;

        private Builder() {
        }

        public Builder bindHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("proxy bind address must not be blank");
            }
            this.bindHost = host.trim();
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("proxy port must be in [0,65535], got " + port);
            }
            this.port = port;
            return this;
        }

        /** Adds one version's upstream. */
        public Builder upstream(UpstreamSpec upstream) {
            Objects.requireNonNull(upstream, "upstream");
            if (upstreams.putIfAbsent(upstream.version(), upstream) != null) {
                throw new IllegalArgumentException("--upstream names version " + upstream.version() + " twice");
            }
            return this;
        }

        public Builder stickyHeader(String name) {
            this.stickyHeader = nonBlank(name, "sticky header");
            return this;
        }

        /** A cookie holding the sticky key; null for none. */
        public Builder stickyCookie(String name) {
            this.stickyCookie = name == null ? null : nonBlank(name, "sticky cookie");
            return this;
        }

        /** Replaces the pin rules (an empty list turns pinning off). */
        public Builder pins(List<PinRule> pins) {
            this.pins = List.copyOf(pins);
            return this;
        }

        /** Mirroring; null for none. */
        public Builder mirror(MirrorSpec mirror) {
            this.mirror = mirror;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "upstream connect timeout");
            return this;
        }

        public Builder upstreamTimeout(Duration d) {
            this.upstreamTimeout = positive(d, "upstream timeout");
            return this;
        }

        public Builder clientTimeout(Duration d) {
            this.clientTimeout = positive(d, "client timeout");
            return this;
        }

        public Builder maxBodyBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("proxy max body size must be >= 0, got " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        public Builder maxHeaderBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("proxy max header size must be >= 1024 bytes, got " + bytes);
            }
            this.maxHeaderBytes = bytes;
            return this;
        }

        public Builder maxConnectionsPerEndpoint(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max connections per upstream endpoint must be positive, got " + n);
            }
            this.maxConnectionsPerEndpoint = n;
            return this;
        }

        /** @throws IllegalArgumentException without any upstream, or a mirror target without one */
        public ProxySettings build() {
            if (upstreams.isEmpty()) {
                throw new IllegalArgumentException("the proxy needs at least one --upstream VERSION=URL");
            }
            for (PinRule pin : pins) {
                pin.version().ifPresent(v -> {
                    if (!upstreams.containsKey(v)) {
                        throw new IllegalArgumentException("pin rule " + pin + " names version " + v
                                + " that has no upstream (upstreams: " + upstreams.keySet() + ")");
                    }
                });
            }
            if (mirror != null && mirror.target().isPresent() && !upstreams.containsKey(mirror.target().get())) {
                throw new IllegalArgumentException("--mirror names version " + mirror.target().get()
                        + " that has no upstream (upstreams: " + upstreams.keySet() + ")");
            }
            return new ProxySettings(this);
        }

        private static String nonBlank(String s, String field) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException(field + " must not be blank");
            }
            return s.trim();
        }

        private static Duration positive(Duration d, String field) {
            Objects.requireNonNull(d, field);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(field + " must be positive, got " + d);
            }
            return d;
        }
    }
}
