package io.canary.launcher.proxy;

import io.canary.launcher.proxy.ProxyStats.MirrorOutcome;
import io.canary.launcher.proxy.RequestRouter.Route;
import io.canary.launcher.proxy.Upstreams.Endpoint;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which requests mirroring copies, and the bound on copies in flight, whichever engine sends them:
 * a share ({@link MirrorSpec#basisPoints()}) of the unpinned requests routed to the baseline, to
 * the configured target or else the active rollout's canary, never during fail-safe; a body over
 * {@link MirrorSpec#maxBodyBytes()} is not copied (SKIPPED), a copy beyond
 * {@link MirrorSpec#maxInFlight()} is dropped, never queued (DROPPED).
 *
 * <p>Threading: any thread; lock-free but for the semaphore's try-acquire.
 */
final class MirrorGate {
    private final Upstreams upstreams;
    private final ProxyNode node;
    private final MirrorSpec spec;
    private final ProxyStats stats;
    private final Semaphore inFlight;

    MirrorGate(Upstreams upstreams, ProxyNode node, MirrorSpec spec, ProxyStats stats) {
        this.upstreams = upstreams;
        this.node = node;
        this.spec = spec;
        this.stats = stats;
        this.inFlight = new Semaphore(spec.maxInFlight());
    }

    MirrorSpec spec() {
        return spec;
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
        String target = target(state);
        if (target == null || target.equals(route.version())) {
            return null;
        }
        Endpoint endpoint = upstreams.pick(target);
        if (endpoint == null || ThreadLocalRandom.current().nextInt(Weights.TOTAL_BASIS_POINTS) >= spec.basisPoints()) {
            return null;
        }
        if (hasBody && length > spec.maxBodyBytes()) {
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

    private String target(RoutingState state) {
        if (spec.target().isPresent()) {
            return spec.target().get();
        }
        RolloutInfo rollout = state.rollout();
        return rollout.phase().isActive() && !rollout.canary().isEmpty() ? rollout.canary() : null;
    }
}
