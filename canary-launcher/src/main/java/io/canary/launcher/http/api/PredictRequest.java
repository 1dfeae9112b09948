package io.canary.launcher.http.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code POST /predict} body, optional: {@code {"key":"user-42","input":...}}. The header
 * {@code X-Canary-Key} wins over {@code key}; without either the request routes at random.
 */
public record PredictRequest(String key, JsonNode input) {
}
