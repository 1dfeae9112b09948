package io.canary.launcher.client;

import io.canary.launcher.http.api.ClusterView;
import io.canary.launcher.http.api.HealthView;
import io.canary.launcher.http.api.PredictError;
import io.canary.launcher.http.api.PredictOutcome;
import io.canary.launcher.http.api.StateView;
import io.canary.launcher.http.api.VersionStatsView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code canary query} prints, in the format of the original deployment guide, and the
 * problems that make it exit non-zero (an unreachable node, nodes that disagree). Pure: built from
 * what the nodes answered, no I/O.
 */
public final class QueryReport {
    /** The banner line. */
    public static final String RULE = "=".repeat(60);

    /**
     * What one node answered; {@code failure} is set (and the rest may be null) if it did not.
     * {@code cluster} (who coordinates, the term) is null when the node did not say.
     */
    public record NodeResult(NodeAddress node, StateView state, HealthView health, PredictOutcome prediction, String failure,
                             ClusterView cluster) {
        public NodeResult(NodeAddress node, StateView state, HealthView health, PredictOutcome prediction, String failure) {
            this(node, state, health, prediction, failure, null);
        }

        public static NodeResult unreachable(NodeAddress node, String why) {
            return new NodeResult(node, null, null, null, why);
        }

        public boolean reachable() {
            return failure == null;
        }
    }

    private final List<NodeResult> results;

    public QueryReport(List<NodeResult> results) {
        this.results = List.copyOf(results);
    }

    /** The whole report, header and footer included. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(RULE).append('\n').append("Querying Canary Deployment System State").append('\n').append(RULE).append('\n');
        for (NodeResult r : results) {
            sb.append('\n');
            renderNode(sb, r);
        }
        sb.append('\n').append(RULE).append('\n');
        List<String> problems = problems();
        if (problems.isEmpty()) {
            StateView s = results.get(0).state();
            sb.append("All ").append(results.size()).append(results.size() == 1 ? " node agrees" : " nodes agree")
                    .append(": routing state v").append(s.version()).append(", weights ").append(Formats.pyWeights(s.weights()))
                    .append('\n');
        } else {
            for (String p : problems) {
                sb.append("PROBLEM: ").append(p).append('\n');
            }
        }
        return sb.toString();
    }

    /** Unreachable nodes and disagreements, one sentence each; empty when all is well. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> byState = new LinkedHashMap<>();
        for (NodeResult r : results) {
            if (!r.reachable()) {
                problems.add(r.node().nodeId() + " is unreachable: " + r.failure());
            } else {
                byState.computeIfAbsent(describe(r.state()), k -> new ArrayList<>()).add(r.node().nodeId());
            }
        }
        if (byState.size() > 1) {
            StringBuilder sb = new StringBuilder("the nodes disagree on the committed state: ");
            boolean first = true;
            for (Map.Entry<String, List<String>> e : byState.entrySet()) {
                if (!first) {
                    sb.append("; ");
                }
                first = false;
                sb.append(String.join(", ", e.getValue())).append(e.getValue().size() == 1 ? " is at " : " are at ").append(e.getKey());
            }
            problems.add(sb.toString());
        }
        return problems;
    }

    private static String describe(StateView s) {
        return "v" + s.version() + " " + s.status() + " " + Formats.pyWeights(s.weights());
    }

    private static void renderNode(StringBuilder sb, NodeResult r) {
        String name = "[" + r.node().displayName() + "]";
        if (!r.reachable()) {
            sb.append(name).append(" UNREACHABLE at ").append(r.node().baseUri()).append(": ").append(r.failure()).append('\n');
            return;
        }
        StateView s = r.state();
        sb.append(name).append(" Routing State v").append(s.version()).append('\n');
        sb.append("  Status: ").append(s.status()).append('\n');
        sb.append("  Weights: ").append(Formats.pyWeights(s.weights())).append('\n');
        renderCoordination(sb, r.cluster(), s);
        if (s.rollout().isActive() || s.rollout().isFinished()) {
            sb.append("  Rollout: ").append(s.rollout().canary()).append(' ').append(s.rollout().percent()).append("% ")
                    .append(s.rollout().phase()).append('\n');
        }
        sb.append('\n');
        sb.append(name).append(" Health Snapshot").append('\n');
        renderHealth(sb, r.health());
        sb.append('\n');
        PredictOutcome p = r.prediction();
        sb.append(name).append(" Prediction routed to: ").append(p.version());
        if (p instanceof PredictError e) {
            sb.append(" (the model failed: ").append(e.error()).append(')');
        }
        sb.append('\n');
    }

    /** Who the node says coordinates, in which term ({@code /cluster}, if it answered), and whether it routes fail-safe. */
    static void renderCoordination(StringBuilder sb, ClusterView c, StateView s) {
        if (c != null) {
            sb.append("  Coordinator: ").append(c.coordinator().isEmpty() ? "none known (election running)" : c.coordinator())
                    .append(" (term ").append(c.term()).append(")\n");
            if (!c.waitingFor().isEmpty()) {
                sb.append("  Waiting to hear: ").append(String.join(", ", c.waitingFor()))
                        .append(" (amnesiac: start it, or replace it by starting a node under its name on an empty data dir)\n");
            }
        }
        if (s.failSafe()) {
            sb.append("  Fail-safe: routing every request to ").append(s.baseline()).append(" (").append(s.failSafeReason())
                    .append(")\n");
        }
    }

    /**
     * The guide prints one P95 and one error rate per node. The error rate is over all requests;
     * the P95 is the worst version's, an upper bound of the node's merged p95 (an average of
     * percentiles would be meaningless). With traffic on several versions, each gets its own line.
     */
    static void renderHealth(StringBuilder sb, HealthView h) {
        Map<String, VersionStatsView> active = new TreeMap<>();
        h.versions().forEach((v, s) -> {
            if (s != null && s.requests() > 0) {
                active.put(v, s);
            }
        });
        if (active.isEmpty()) {
            long seconds = Math.max(1, Math.round(h.windowMs() / 1000.0));
            sb.append("  P95: 0.0ms, Error Rate: 0.00% (no requests in the last ").append(seconds).append("s)\n");
            return;
        }
        long requests = 0;
        long errors = 0;
        double worstP95 = 0;
        for (VersionStatsView s : active.values()) {
            requests += s.requests();
            errors += s.errors();
            worstP95 = Math.max(worstP95, s.p95Ms());
        }
        sb.append("  P95: ").append(Formats.millis(worstP95)).append(", Error Rate: ")
                .append(Formats.percent(errors / (double) requests)).append('\n');
        if (active.size() > 1) {
            for (Map.Entry<String, VersionStatsView> e : active.entrySet()) {
                VersionStatsView s = e.getValue();
                sb.append("    ").append(e.getKey()).append(": P95: ").append(Formats.millis(s.p95Ms()))
                        .append(", Error Rate: ").append(Formats.percent(s.errorRate()))
                        .append(", Requests: ").append(s.requests()).append('\n');
            }
        }
    }
}
