package io.canary.launcher.http.api;

import java.util.Map;

/**
 * {@code GET /health}: this node's health per version.
 *
 * @param node the node
 * @param at epoch milliseconds when measured
 * @param windowMs length of the sliding window the numbers cover
 * @param versions version name to its numbers, sorted by name
 */
public record HealthView(String node, long at, long windowMs, Map<String, VersionStatsView> versions) {
    public HealthView {
        versions = versions == null ? Map.of() : versions;
    }
}
