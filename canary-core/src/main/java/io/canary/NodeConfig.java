package io.canary;

import java.time.Duration;
import java.util.Objects;

/**
 * Protocol timings of a node. Immutable; build with {@link #custom()} or take {@link #ofDefaults()}.
 * Every setter validates and names the field and the bad value.
 */
public final class NodeConfig {
    /** How long the coordinator waits for all votes before aborting. */
    public static final Duration DEFAULT_PREPARE_TIMEOUT = Duration.ofSeconds(2);
    /** How often the coordinator resends an unacknowledged Commit, and an in-doubt node asks. */
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofMillis(200);
    /** How often every node tells every peer its term and committed version (and echoes theirs). */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(200);
    /**
     * A peer without two-way evidence (an echo of something this node sent) for this long is
     * unreachable: a rollback goes on without it.
     */
    public static final Duration DEFAULT_PEER_TIMEOUT = Duration.ofSeconds(1);
    /**
     * A node without two-way contact with its coordinator for this long stands for election (after
     * a further {@link #DEFAULT_ELECTION_STAGGER} per rank in the preferred order).
     */
    public static final Duration DEFAULT_ELECTION_TIMEOUT = Duration.ofMillis(1500);
    /** The extra wait per rank in the preferred order, so that one successor stands first. */
    public static final Duration DEFAULT_ELECTION_STAGGER = Duration.ofMillis(500);
    /**
     * A node without a valid lease for this long (a member: no word from a majority-backed
     * coordinator; the coordinator: no two-way contact with a majority) routes fail-safe.
     */
    public static final Duration DEFAULT_LEASE_TIMEOUT = Duration.ofSeconds(3);
    /** How often every node sends its health snapshot to every peer. */
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(1);
    /** The sliding window health is measured over (6 sub-windows of 5 s). */
    public static final Duration DEFAULT_HEALTH_WINDOW = Duration.ofSeconds(30);
    /** A restarting node waits this long for a StateSync before serving its last committed state. */
    public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(5);
    /** How long a forwarded request or a proposal may take before its caller gets a timeout. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** How long a rollout may stay paused before the coordinator aborts it: nothing waits forever. */
    public static final Duration DEFAULT_MAX_PAUSE = Duration.ofHours(1);

    private final Duration prepareTimeout;
    private final Duration retryInterval;
    private final Duration heartbeatInterval;
    private final Duration peerTimeout;
    private final Duration electionTimeout;
    private final Duration electionStagger;
    private final Duration leaseTimeout;
    private final Duration healthInterval;
    private final Duration healthWindow;
    private final Duration syncTimeout;
    private final Duration requestTimeout;
    private final Duration maxPause;

    private NodeConfig(Builder b) {
        this.prepareTimeout = b.prepareTimeout;
        this.retryInterval = b.retryInterval;
        this.heartbeatInterval = b.heartbeatInterval;
        this.peerTimeout = b.peerTimeout;
        this.electionTimeout = b.electionTimeout;
        this.electionStagger = b.electionStagger;
        this.leaseTimeout = b.leaseTimeout;
        this.healthInterval = b.healthInterval;
        this.healthWindow = b.healthWindow;
        this.syncTimeout = b.syncTimeout;
        this.requestTimeout = b.requestTimeout;
        this.maxPause = b.maxPause;
    }

    public static NodeConfig ofDefaults() {
        return custom().build();
    }

    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}. */
    public static Builder from(NodeConfig base) {
        Builder b = new Builder();
        b.prepareTimeout = base.prepareTimeout;
        b.retryInterval = base.retryInterval;
        b.heartbeatInterval = base.heartbeatInterval;
        b.peerTimeout = base.peerTimeout;
        b.electionTimeout = base.electionTimeout;
        b.electionStagger = base.electionStagger;
        b.leaseTimeout = base.leaseTimeout;
        b.healthInterval = base.healthInterval;
        b.healthWindow = base.healthWindow;
        b.syncTimeout = base.syncTimeout;
        b.requestTimeout = base.requestTimeout;
        b.maxPause = base.maxPause;
        return b;
    }

    public Duration prepareTimeout() { return prepareTimeout; }
    public Duration retryInterval() { return retryInterval; }
    public Duration heartbeatInterval() { return heartbeatInterval; }
    public Duration peerTimeout() { return peerTimeout; }
    public Duration electionTimeout() { return electionTimeout; }
    public Duration electionStagger() { return electionStagger; }
    public Duration leaseTimeout() { return leaseTimeout; }
    public Duration healthInterval() { return healthInterval; }
    public Duration healthWindow() { return healthWindow; }
    public Duration syncTimeout() { return syncTimeout; }
    public Duration requestTimeout() { return requestTimeout; }
    public Duration maxPause() { return maxPause; }

    @Override
    public String toString() {
        return "NodeConfig[prepareTimeout=" + prepareTimeout + ", retryInterval=" + retryInterval
                + ", heartbeatInterval=" + heartbeatInterval + ", peerTimeout=" + peerTimeout
                + ", electionTimeout=" + electionTimeout + ", electionStagger=" + electionStagger
                + ", leaseTimeout=" + leaseTimeout
                + ", healthInterval=" + healthInterval + ", healthWindow=" + healthWindow
                + ", syncTimeout=" + syncTimeout + ", requestTimeout=" + requestTimeout + ", maxPause=" + maxPause + "]";
    }

    /** Validating builder. */
    public static final class Builder {
        private Duration prepareTimeout = DEFAULT_PREPARE_TIMEOUT;
        private Duration retryInterval = DEFAULT_RETRY_INTERVAL;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private Duration peerTimeout = DEFAULT_PEER_TIMEOUT;
        private Duration electionTimeout = DEFAULT_ELECTION_TIMEOUT;
        private Duration electionStagger = DEFAULT_ELECTION_STAGGER;
        private Duration leaseTimeout = DEFAULT_LEASE_TIMEOUT;
        private Duration healthInterval = DEFAULT_HEALTH_INTERVAL;
        private Duration healthWindow = DEFAULT_HEALTH_WINDOW;
        private Duration syncTimeout = DEFAULT_SYNC_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration maxPause = DEFAULT_MAX_PAUSE;

        private Builder() {
        }

        public Builder prepareTimeout(Duration d) { prepareTimeout = positive("prepareTimeout", d); return this; }
        public Builder retryInterval(Duration d) { retryInterval = positive("retryInterval", d); return this; }
        public Builder heartbeatInterval(Duration d) { heartbeatInterval = positive("heartbeatInterval", d); return this; }
        public Builder peerTimeout(Duration d) { peerTimeout = positive("peerTimeout", d); return this; }
        /** Without two-way contact with its coordinator for this long, a node stands for election; default 1.5 s. */
        public Builder electionTimeout(Duration d) { electionTimeout = positive("electionTimeout", d); return this; }
        /** Extra wait per rank in the preferred order before standing; default 500 ms. */
        public Builder electionStagger(Duration d) { electionStagger = positive("electionStagger", d); return this; }
        /** Without a valid lease for this long a node routes fail-safe (canary share to the baseline); default 3 s. */
        public Builder leaseTimeout(Duration d) { leaseTimeout = positive("leaseTimeout", d); return this; }
        public Builder healthInterval(Duration d) { healthInterval = positive("healthInterval", d); return this; }
        public Builder healthWindow(Duration d) { healthWindow = positive("healthWindow", d); return this; }
        public Builder syncTimeout(Duration d) { syncTimeout = positive("syncTimeout", d); return this; }
        public Builder requestTimeout(Duration d) { requestTimeout = positive("requestTimeout", d); return this; }
        /** How long a rollout may stay paused before it is aborted; default 1 h. */
        public Builder maxPause(Duration d) { maxPause = positive("maxPause", d); return this; }

        /**
         * @throws IllegalArgumentException if the timings contradict each other: a peer timeout
         *     not longer than the heartbeat interval would mark healthy peers unreachable
         */
        public NodeConfig build() {
            if (peerTimeout.compareTo(heartbeatInterval) <= 0) {
                throw new IllegalArgumentException("peerTimeout (" + peerTimeout
                        + ") must be longer than heartbeatInterval (" + heartbeatInterval + ")");
            }
            if (electionTimeout.compareTo(heartbeatInterval.multipliedBy(2)) <= 0) {
                throw new IllegalArgumentException("electionTimeout (" + electionTimeout
                        + ") must be longer than two heartbeat intervals (" + heartbeatInterval.multipliedBy(2) + ")");
            }
            if (leaseTimeout.compareTo(heartbeatInterval.multipliedBy(2)) <= 0) {
                throw new IllegalArgumentException("leaseTimeout (" + leaseTimeout
                        + ") must be longer than two heartbeat intervals (" + heartbeatInterval.multipliedBy(2) + ")");
            }
            if (requestTimeout.compareTo(prepareTimeout) <= 0) {
                throw new IllegalArgumentException("requestTimeout (" + requestTimeout
                        + ") must be longer than prepareTimeout (" + prepareTimeout + ")");
            }
            return new NodeConfig(this);
        }

        private static Duration positive(String field, Duration d) {
            Objects.requireNonNull(d, field);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(field + " must be positive, got " + d);
            }
            return d;
        }
    }
}
