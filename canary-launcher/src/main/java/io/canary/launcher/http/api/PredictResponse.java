package io.canary.launcher.http.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code POST /predict} answer (also in header {@code X-Canary-Version}).
 *
 * @param version the version that served the request
 * @param node the node that routed it
 * @param output the model's answer
 * @param latencyMs how long the model took, as recorded in health
 */
public record PredictResponse(String version, String node, JsonNode output, double latencyMs) implements PredictOutcome {
}
