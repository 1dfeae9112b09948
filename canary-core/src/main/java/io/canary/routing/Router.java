package io.canary.routing;

import io.canary.model.RoutingState;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the version that serves a request, from the node's committed {@link RoutingState}.
 *
 * <p>With a key (a user id, a session id) the choice is sticky: the key hashes to a bucket in
 * [0, 10000) and keeps it, so a user stays on one version while the weights stand, and a rising
 * canary share only moves users into the canary. Every node with the same state routes a key the same
 * way. Without a key the bucket is uniformly random.
 *
 * <p>Threading: {@link #route} is lock-free and allocation-free, safe from any number of request
 * threads: it reads one volatile reference to an immutable {@link RoutingTable}. {@link #update} is
 * called by the node's protocol thread when a state commits; a concurrent {@code route} sees either the
 * old table or the new one, never a mix.
 */
public final class Router {
    private volatile RoutingTable table;

    /** A router on {@code initial}. */
    public Router(RoutingState initial) {
        this.table = RoutingTable.of(Objects.requireNonNull(initial, "initial"));
    }

    /**
     * The version for a request with {@code key}, or a random one by weight when {@code key} is null.
     * Never null, never blocks, never allocates.
     */
    public String route(String key) {
        RoutingTable t = table;
        int bucket = key == null
                ? ThreadLocalRandom.current().nextInt(io.canary.model.Weights.TOTAL_BASIS_POINTS)
                : t.bucket(key);
        return t.versionForBucket(bucket);
    }

    /** Routes on {@code state} from now on (fail-safe if the router is). Call only with committed states. */
    public void update(RoutingState state) {
        Objects.requireNonNull(state, "state");
        this.table = table.isFailSafe() ? RoutingTable.failSafe(state) : RoutingTable.of(state);
    }

    /**
     * Switches fail-safe routing on (every request to the committed state's baseline) or off (back to
     * the committed weights). Called by the protocol thread; a no-op if nothing changes.
     */
    public void failSafe(boolean on) {
        RoutingTable t = table;
        if (t.isFailSafe() != on) {
            this.table = on ? RoutingTable.failSafe(t.state()) : RoutingTable.of(t.state());
        }
    }

    /** The state routed on now. */
    public RoutingState state() {
        return table.state();
    }

    /** The table routed on now (for diagnostics and tests). */
    public RoutingTable table() {
        return table;
    }
}
