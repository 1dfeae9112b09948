package io.canary.launcher.http.api;

/**
 * {@code POST /predict} failure (502): which version failed, on which node, and why.
 */
public record PredictError(String error, String version, String node, double latencyMs) implements PredictOutcome {
}
