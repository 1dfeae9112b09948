package io.canary.launcher.http;

import io.javalin.http.Context;

/** {@code /health}, {@code /health/cluster} and {@code /metrics}. */
final class HealthHandlers {
    private final NodeApi node;

    HealthHandlers(NodeApi node) {
        this.node = node;
    }

    void node(Context ctx) {
        throw new ApiException(501, "health of " + node.id() + " is not available yet");
    }

    void cluster(Context ctx) {
        throw new ApiException(501, "cluster health is not available yet");
    }

    void metrics(Context ctx) {
        throw new ApiException(501, "metrics are not available yet");
    }
}
