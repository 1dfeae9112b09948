package io.canary.launcher.proxy;

import io.canary.launcher.proxy.RequestRouter.Route;
import io.canary.launcher.proxy.Upstreams.Endpoint;

/**
 * The state of one proxied request, from routing to the last byte written: where it went, when it
 * started, and who failed it if anything did. Fields written by one Jetty thread may be read by
 * another (the client's reader, the upstream's listener), hence volatile.
 */
final class Exchange {
    final Route route;
    final Endpoint endpoint;
    final long startNanos;
    /** The client's fault (body over the limit, a timeout mid-body, a reset): not the version's. */
    private volatile Throwable clientFailure;
    /** The upstream refused, timed out, reset or answered garbage: an error of the version. */
    private volatile Throwable upstreamFailure;
    /** The copy being made for mirroring, if this request is mirrored and has a body. */
    volatile MirrorSender.Copy mirror;
    /** Times the request was sent again after a pooled connection turned out closed. */
    volatile int retries;

    Exchange(Route route, Endpoint endpoint, long startNanos) {
        this.route = route;
        this.endpoint = endpoint;
        this.startNanos = startNanos;
    }

    void clientFailed(Throwable failure) {
        if (clientFailure == null) {
            clientFailure = failure;
        }
    }

    void upstreamFailed(Throwable failure) {
        if (upstreamFailure == null) {
            upstreamFailure = failure;
        }
    }

    Throwable clientFailure() {
        return clientFailure;
    }

    Throwable upstreamFailure() {
        return upstreamFailure;
    }

    /** Drops the mirror copy if it was not sent yet (the real request failed first). */
    void abandonMirror() {
        MirrorSender.Copy m = mirror;
        if (m != null) {
            m.abandon();
        }
    }
}
