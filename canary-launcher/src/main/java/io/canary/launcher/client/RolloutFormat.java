package io.canary.launcher.client;

import io.canary.launcher.http.api.PlanView;
import io.canary.model.RolloutInfo.Phase;
import io.canary.launcher.http.api.ClusterHealthView;
import io.canary.launcher.http.api.RolloutStatusView;
import io.canary.launcher.http.api.RolloutView;
import io.canary.launcher.http.api.StateView;
import io.canary.launcher.http.api.VersionStatsView;
import io.canary.launcher.http.api.VerdictView;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How rollouts print: the step progress bar, health lines, verdict lines and the full status. Pure. */
public final class RolloutFormat {
    /** Width of the progress bar in characters. */
    public static final int BAR_WIDTH = 10;

    private RolloutFormat() {
    }

    /**
     * {@code [#####.....] step 2/4  25%  PROGRESSING}: the bar fills with the steps reached.
     *
     * @param canaryPercent the canary's actual share now (after a rollback it is 0 whatever the step)
     */
    public static String progressBar(RolloutView r, double canaryPercent) {
        int total = r.steps().size();
        int reached = r.phase() == Phase.COMPLETED ? total : Math.max(0, r.stepIndex() + 1);
        int filled = total == 0 ? 0 : (int) Math.round(BAR_WIDTH * reached / (double) total);
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] step " + reached + "/" + total
                + String.format(Locale.ROOT, "  %3s%%  ", Formats.trimmed(canaryPercent)) + r.phase();
    }

    /** The canary's share in percent in {@code state}, or the step's percent when the state is unknown. */
    public static double canaryPercent(RolloutView r, StateView state) {
        if (state != null && !r.canary().isEmpty()) {
            Double share = state.weights().get(r.canary());
            return share == null ? 0 : share * 100;
        }
        return r.percent();
    }

    /** {@code step 2/4 (25%)} for a step index of {@code steps}. */
    public static String stepLabel(int stepIndex, List<Integer> steps) {
        if (stepIndex < 0 || stepIndex >= steps.size()) {
            return "step " + (stepIndex + 1) + "/" + steps.size();
        }
        int percent = steps.get(stepIndex);
        // Only a shadow step is at 0%: mirrored copies, no user on the canary.
        return "step " + (stepIndex + 1) + "/" + steps.size() + " (" + (percent == 0 ? "shadow" : percent + "%") + ")";
    }

    /** {@code 12:00:06 PROMOTE  step 1/4 (5%): reason}. */
    public static String verdictLine(VerdictView v, List<Integer> steps) {
        return Formats.clock(v.at()) + " " + String.format(Locale.ROOT, "%-8s", v.decision()) + " "
                + stepLabel(v.stepIndex(), steps) + ": " + v.reason();
    }

    /** {@code baseline v1  requests 5210  errors 0.52%  p50 20.1ms  p95 41.0ms  p99 60.2ms}. */
    public static String healthLine(String role, String version, VersionStatsView s) {
        return String.format(Locale.ROOT, "%-8s %-6s requests %7d  errors %6s  p50 %8s  p95 %8s  p99 %8s",
                role, version, s.requests(), Formats.percent(s.errorRate()), Formats.millis(s.p50Ms()),
                Formats.millis(s.p95Ms()), Formats.millis(s.p99Ms()));
    }

    /**
     * The whole {@code rollout status} page.
     *
     * @param status {@code GET /rollout}
     * @param state {@code GET /routing/state} of the same node
     * @param health {@code GET /health/cluster}, or null if it could not be read
     * @param maxVerdicts how many of the latest verdicts to show
     */
    public static String status(RolloutStatusView status, StateView state, ClusterHealthView health, int maxVerdicts) {
        RolloutView r = status.rollout();
        StringBuilder sb = new StringBuilder();
        if (r.phase() == Phase.NONE || r.steps().isEmpty()) {
            sb.append("No rollout has run. Routing state v").append(state.version()).append(": ")
                    .append(Formats.percentWeights(state.weights())).append('\n');
            sb.append("Start one with: canary rollout start --canary v2\n");
            return sb.toString();
        }
        String baseline = baselineOf(status, state);
        sb.append("Rollout ").append(r.id()).append(": ").append(baseline).append(" -> ").append(r.canary()).append('\n');
        sb.append(progressBar(r, canaryPercent(r, state))).append('\n');
        if (!r.reason().isEmpty()) {
            sb.append("  ").append(r.reason()).append('\n');
        }
        sb.append("  Routing state v").append(state.version()).append(": ").append(Formats.percentWeights(state.weights())).append('\n');
        String plan = planLine(status.plan());
        if (!plan.isEmpty()) {
            sb.append("  Plan: ").append(plan).append('\n');
        }
        sb.append('\n');
        if (health != null) {
            sb.append("Health (merged over ").append(health.nodes().isEmpty() ? "no node" : String.join(", ", health.nodes())).append(")\n");
            if (!baseline.equals(r.canary())) {
                sb.append("  ").append(healthLine("baseline", baseline, health.version(baseline))).append('\n');
            }
            sb.append("  ").append(healthLine("canary", r.canary(), health.version(r.canary()))).append('\n');
            sb.append('\n');
        }
        if (status.analysis() != null && r.isActive()) {
            sb.append("Now (analysed at every health exchange)\n  ").append(verdictLine(status.analysis(), r.steps()))
                    .append("\n\n");
        }
        List<VerdictView> verdicts = status.verdicts();
        if (verdicts.isEmpty()) {
            sb.append("No verdict yet.\n");
        } else {
            sb.append("Last verdicts\n");
            for (VerdictView v : verdicts.subList(Math.max(0, verdicts.size() - maxVerdicts), verdicts.size())) {
                sb.append("  ").append(verdictLine(v, r.steps())).append('\n');
            }
        }
        return sb.toString();
    }

    private static String baselineOf(RolloutStatusView status, StateView state) {
        PlanView plan = status.plan();
        if (plan != null && plan.baseline() != null) {
            return plan.baseline();
        }
        return state.baseline().isEmpty() ? "baseline" : state.baseline();
    }

    /** The plan's settings other than what the header already shows, {@code key=value, ...}. */
    static String planLine(PlanView plan) {
        if (plan == null) {
            return "";
        }
        // The plan's own fields, in their order, as the JSON shows them (a new field shows up here too).
        Map<String, Object> fields = PLAN_FIELDS.convertValue(plan, new com.fasterxml.jackson.core.type.TypeReference<>() { });
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            if (List.of("baseline", "canary").contains(f.getKey()) || f.getValue() == null) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(", ");
            }
            Object v = f.getValue();
            sb.append(f.getKey()).append('=').append(v instanceof List<?> l ? PLAN_FIELDS.valueToTree(l).toString() : v);
        }
        return sb.toString();
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper PLAN_FIELDS = DataPlaneClient.json();
}
