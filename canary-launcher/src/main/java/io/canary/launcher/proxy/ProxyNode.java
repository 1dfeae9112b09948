package io.canary.launcher.proxy;

import io.canary.CanaryNode;
import io.canary.model.RoutingState;
import java.util.Objects;

/**
 * What the proxy needs of a node: routing, recording and the committed state. {@link #of} adapts a
 * real {@link CanaryNode}; tests may pass a fake.
 *
 * <p>Threading: every method is called from Jetty's threads, concurrently, on the request path:
 * each must be lock-free and never block (as {@link CanaryNode}'s are).
 */
public interface ProxyNode {
    String id();

    /** The version for this sticky key (null: at random by the weights). */
    String route(String key);

    /** One real request's outcome, for the version's health. */
    void record(String version, long latencyNanos, boolean ok);

    /** One mirrored request's outcome, kept apart from real traffic. */
    void recordMirror(String version, long latencyNanos, boolean ok);

    /** The committed state routing follows. */
    RoutingState state();

    /**
     * Whether this node routes the canary's share to the baseline because it cannot be sure the
     * canary is still wanted (fail-safe): then pins to other versions and mirroring are suspended.
     */
    boolean failSafe();

    /** A real node; the proxied requests it records are also counted by {@code counted} (the node's request counters). */
    static ProxyNode of(CanaryNode node, RequestCounter counted) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(counted, "counted");
        return new ProxyNode() {
            @Override public String id() { return node.id(); }
            @Override public String route(String key) { return node.route(key); }
            @Override public void record(String version, long latencyNanos, boolean ok) {
                node.record(version, latencyNanos, ok);
                counted.request(version, latencyNanos, ok);
            }
            @Override public void recordMirror(String version, long latencyNanos, boolean ok) {
                node.recordMirror(version, latencyNanos, ok);
            }
            @Override public RoutingState state() { return node.state(); }
            @Override public boolean failSafe() { return node.coordination().failSafe(); }
        };
    }

    /** Counts one request of a version (lock-free, on the request path). */
    @FunctionalInterface
    interface RequestCounter {
        void request(String version, long latencyNanos, boolean ok);
    }
}
