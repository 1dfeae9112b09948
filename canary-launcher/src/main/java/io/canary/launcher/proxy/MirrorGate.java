package io.canary.launcher.proxy;

import io.canary.launcher.proxy.ProxyStats.MirrorOutcome;
import io.canary.launcher.proxy.RequestRouter.Route;
import io.canary.launcher.proxy.Upstreams.Endpoint;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which requests mirroring copies, and the bound on copies in flight, whichever engine sends them:
 * a share of the unpinned requests routed to the baseline, never during fail-safe. The share is
 * {@code --mirror}'s ({@link MirrorSpec#basisPoints()}, to its target or else the active rollout's
 * canary) or, while the rollout stands at its shadow step, the larger of that and
 * {@link RolloutInfo#shadowMirrorBasisPoints()}, to the rollout's canary: the shadow step is judged
 * on those copies, so it needs no {@code --mirror} (without one the gate still exists, with the
 * default limits, and copies nothing unless a rollout asks). A body over the max body is not copied
 * (SKIPPED), a copy beyond the max in flight is dropped, never queued (DROPPED).
 *
 * <p>Threading: any thread; lock-free but for the semaphore's try-acquire.
 */
final class MirrorGate {
    private final Upstreams upstreams;
    private final ProxyNode node;
    private final Optional<MirrorSpec> configured;
    private final int maxBodyBytes;
    private final ProxyStats stats;
    private final Semaphore inFlight;

    /** @param configured {@code --mirror}, empty without it (then only a shadow step copies) */
    MirrorGate(Upstreams upstreams, ProxyNode node, Optional<MirrorSpec> configured, ProxyStats stats) {
        this.upstreams = upstreams;
        this.node = node;
        this.configured = configured;
        this.maxBodyBytes = configured.map(MirrorSpec::maxBodyBytes).orElse(MirrorSpec.DEFAULT_MAX_BODY_BYTES);
        this.stats = stats;
        this.inFlight = new Semaphore(configured.map(MirrorSpec::maxInFlight).orElse(MirrorSpec.DEFAULT_MAX_IN_FLIGHT));
    }

    /** A copy's body is buffered up to this many bytes; a larger request is not copied. */
    int maxBodyBytes() {
        return maxBodyBytes;
    }

    /**
     * Decides whether to copy a request; on yes a permit is held until {@link #release}.
     *
     * @param length the declared body length, -1 if unknown (chunked), 0 without a body
     * @return the copy's endpoint, or null (not copied)
     */
    Endpoint admit(Route route, boolean hasBody, long length) {
        if (route.pinned()) {
            return null;
        }
        RoutingState state = node.state();
        if (!route.version().equals(state.baseline()) || node.failSafe()) {
            return null;
        }
        RolloutInfo rollout = state.rollout();
        int shadow = rollout.shadowMirrorBasisPoints();
        String target;
        int share;
        if (shadow > 0 && !rollout.canary().isEmpty()) {
            // The shadow step is judged on these copies: they go to the canary even if --mirror names another version.
            target = rollout.canary();
            boolean sameTarget = configured.isPresent() && configured.get().target().map(target::equals).orElse(true);
            share = sameTarget ? Math.max(shadow, configured.get().basisPoints()) : shadow;
        } else if (configured.isPresent()) {
            target = configured.get().target().orElse(rollout.phase().isActive() && !rollout.canary().isEmpty() ? rollout.canary() : null);
            share = configured.get().basisPoints();
        } else {
            return null;
        }
        if (target == null || target.equals(route.version())) {
            return null;
        }
        Endpoint endpoint = upstreams.pick(target);
        if (endpoint == null || ThreadLocalRandom.current().nextInt(Weights.TOTAL_BASIS_POINTS) >= share) {
            return null;
        }
        if (hasBody && length > maxBodyBytes) {
            stats.mirror(target, MirrorOutcome.SKIPPED);
            return null;
        }
        if (!inFlight.tryAcquire()) {
            stats.mirror(target, MirrorOutcome.DROPPED);
            return null;
        }
        return endpoint;
    }

    /** The copy for {@code version} is over: sent and answered (OK/FAILED) or given up (SKIPPED). */
    void release(String version, MirrorOutcome outcome) {
        inFlight.release();
        stats.mirror(version, outcome);
    }

    void sent(String version) {
        stats.mirrorSent(version);
    }

    /** A copy's outcome for the version's mirror health. */
    void record(String version, long nanos, boolean ok) {
        node.recordMirror(version, nanos, ok);
    }
}
