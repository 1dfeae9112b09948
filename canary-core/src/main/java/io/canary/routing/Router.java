package io.canary.routing;

import io.canary.model.RoutingState;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Picks the version that serves a request, from the node's committed {@link RoutingState}.
 *
 * <p>With a key (a user id, a session id) the choice is sticky: the key hashes to a bucket in
 * [0, 10000) and keeps it, so a user stays on one version while the weights stand, and a rising
 * canary share only moves users into the canary. Every node with the same state routes a key the same
 * way. Without a key the bucket is uniformly random.
 *
 * <p>Threading: {@link #route} is lock-free and allocation-free, safe from any number of request
 * threads: it reads one volatile reference to an immutable {@link RoutingTable} and one volatile
 * lease deadline. {@link #update}, {@link #failSafe} and {@link #leaseUntil} are called by the node's
 * protocol thread; a concurrent {@code route} sees either the old table or the new one, never a mix.
 *
 * <p><b>Lease deadline.</b> The protocol also hands the router the monotonic time its lease ends
 * ({@link #leaseUntil}): from then on {@code route} routes fail-safe by itself, even if the protocol
 * thread has not run since (a process paused longer than the lease resumes its request threads
 * before its protocol thread; a stalled protocol thread), until the protocol extends the lease. That
 * costs {@code route} one read of the monotonic clock while a deadline is set, and no allocation: the
 * fail-safe twin of every table is built with it. The protocol calls {@link #failSafe} before
 * {@link #leaseUntil}, so a route between the two writes errs towards the baseline, whichever way
 * the lease changed.
 */
public final class Router {
    /** No lease deadline: the router routes as the protocol last said (a router nobody gives a lease). */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private final LongSupplier monotonicMillis;
    private volatile RoutingTable table;
    private volatile long leaseUntil = NO_DEADLINE;

    /** A router on {@code initial}, with no lease deadline until {@link #leaseUntil} sets one ({@code System.nanoTime}). */
    public Router(RoutingState initial) {
        this(initial, () -> System.nanoTime() / 1_000_000);
    }

    /**
     * A router on {@code initial} whose lease deadline is measured on {@code monotonicMillis}: the
     * node's monotonic clock, the one its protocol measures on. Called from request threads while a
     * deadline is set, so it must be thread-safe, cheap and allocation-free.
     */
    public Router(RoutingState initial, LongSupplier monotonicMillis) {
        this.monotonicMillis = Objects.requireNonNull(monotonicMillis, "monotonicMillis");
        this.table = RoutingTable.of(Objects.requireNonNull(initial, "initial"));
    }

    /**
     * The version for a request with {@code key}, or a random one by weight when {@code key} is null.
     * Never null, never blocks, never allocates.
     */
    public String route(String key) {
        RoutingTable t = effective();
        int bucket = key == null
                ? ThreadLocalRandom.current().nextInt(io.canary.model.Weights.TOTAL_BASIS_POINTS)
                : t.bucket(key);
        return t.versionForBucket(bucket);
    }

    /** The table in force now: the protocol's, or its fail-safe twin once the lease deadline has passed. */
    private RoutingTable effective() {
        RoutingTable t = table;
        long until = leaseUntil;
        return until != NO_DEADLINE && monotonicMillis.getAsLong() > until ? t.failSafeTwin() : t;
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
            this.table = on ? t.failSafeTwin() : RoutingTable.of(t.state());
        }
    }

    /**
     * The lease ends at {@code deadline} on the router's monotonic clock ({@link #NO_DEADLINE}: none):
     * once the clock is past it, {@code route} routes fail-safe without waiting for the protocol
     * thread. Called by the protocol thread after every event, after {@link #failSafe}; one volatile
     * write, no allocation.
     */
    public void leaseUntil(long deadline) {
        if (leaseUntil != deadline) {
            leaseUntil = deadline;
        }
    }

    /** The lease deadline in force ({@link #NO_DEADLINE} if none). */
    public long leaseDeadline() {
        return leaseUntil;
    }

    /** The state routed on now (the committed one, fail-safe or not). */
    public RoutingState state() {
        return table.state();
    }

    /** The table routed on now, the lease deadline applied (for diagnostics and tests). */
    public RoutingTable table() {
        return effective();
    }
}
