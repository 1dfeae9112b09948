package io.canary.launcher.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * What a client reads from a node's HTTP data plane, as records Jackson fills in. Fields a newer
 * node adds are ignored; fields an older one lacks stay at their zero value.
 */
public final class DataPlaneViews {

    private DataPlaneViews() {
    }

    /** {@code GET /routing/state}, and the answer to every change. */
    public record StateView(long version, String status, Map<String, Double> weights, String baseline,
                            long txId, long committedAt, RolloutView rollout) {
        public StateView {
            weights = weights == null ? Map.of() : weights;
            rollout = rollout == null ? RolloutView.NONE : rollout;
        }

        /** What must be equal on every node once a state is committed everywhere. */
        public String agreementKey() {
            return "v" + version + " " + status + " " + new java.util.TreeMap<>(weights);
        }
    }

    /** A rollout's progress as carried in every committed state. */
    public record RolloutView(String id, String canary, List<Integer> steps, int stepIndex, int percent,
                              String phase, String reason) {
        public static final RolloutView NONE = new RolloutView("", "", List.of(), -1, 0, "NONE", "");

        public RolloutView {
            id = id == null ? "" : id;
            canary = canary == null ? "" : canary;
            steps = steps == null ? List.of() : steps;
            phase = phase == null ? "NONE" : phase;
            reason = reason == null ? "" : reason;
        }

        /** True while the rollout still has work to do. */
        public boolean isActive() {
            return "PROGRESSING".equals(phase) || "PAUSED".equals(phase);
        }

        /** True once a rollout ran and ended. */
        public boolean isFinished() {
            return "COMPLETED".equals(phase) || "ROLLED_BACK".equals(phase) || "ABORTED".equals(phase);
        }
    }

    /** One version's numbers over a health window. */
    public record StatsView(String version, long requests, long errors, double errorRate,
                            double p50Ms, double p95Ms, double p99Ms) {
        public static StatsView empty(String version) {
            return new StatsView(version, 0, 0, 0, 0, 0, 0);
        }
    }

    /** {@code GET /health}: one node's window. */
    public record HealthView(String node, long at, long windowMs, Map<String, StatsView> versions) {
        public HealthView {
            versions = versions == null ? Map.of() : versions;
        }
    }

    /** {@code GET /health/cluster}: merged over the nodes that reported. */
    public record ClusterHealthView(long at, List<String> nodes, Map<String, StatsView> versions) {
        public ClusterHealthView {
            nodes = nodes == null ? List.of() : nodes;
            versions = versions == null ? Map.of() : versions;
        }

        public StatsView version(String name) {
            StatsView s = versions.get(name);
            return s != null ? s : StatsView.empty(name);
        }
    }

    /** One rollout analysis. */
    public record VerdictView(String decision, String reason, int stepIndex, long at, StatsView baseline, StatsView canary) {
        public VerdictView {
            decision = decision == null ? "" : decision;
            reason = reason == null ? "" : reason;
        }
    }

    /** {@code GET /rollout}. */
    public record RolloutStatusView(RolloutView rollout, JsonNode plan, List<VerdictView> verdicts) {
        public RolloutStatusView {
            rollout = rollout == null ? RolloutView.NONE : rollout;
            verdicts = verdicts == null ? List.of() : verdicts;
        }
    }

    /**
     * {@code POST /predict}: where a prediction was routed and what the model said; {@code error}
     * is set when the model failed (the node answered 502).
     */
    public record PredictionView(String version, String node, JsonNode output, double latencyMs, String error) {
        public boolean failed() {
            return error != null && !error.isEmpty();
        }
    }
}
