package io.canary.launcher.http.api;

import java.util.Map;

/** {@code POST /routing/weights} body: {@code {"weights":{"v1":0.9,"v2":0.1}}}. */
public record WeightsRequest(Map<String, Double> weights) {
}
