package io.canary.launcher.http.api;

/**
 * What {@code POST /predict} answered: a {@link PredictResponse} (200) or, when the model failed,
 * a {@link PredictError} (502). Both name the version that served the request and the node that
 * routed it.
 */
public sealed interface PredictOutcome permits PredictResponse, PredictError {
    /** The version the request was routed to. */
    String version();

    /** The node that routed it. */
    String node();

    /** True when the model failed ({@link PredictError}). */
    default boolean failed() {
        return this instanceof PredictError;
    }
}
