package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.launcher.http.api.ClusterHealthView;
import io.canary.launcher.http.api.RolloutStatusView;
import io.canary.launcher.http.api.RolloutView;
import io.canary.launcher.http.api.StateView;
import io.canary.launcher.http.api.VersionStatsView;
import io.canary.launcher.http.api.VerdictView;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.rollout.Verdict;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutFormatTest {
    private static final List<Integer> STEPS = List.of(5, 25, 50, 100);

    private static RolloutView rollout(int stepIndex, Phase phase) {
        return new RolloutView("r1", "v2", STEPS, stepIndex, stepIndex < 0 ? 0 : STEPS.get(stepIndex), phase, "");
    }

    @Test
    void theBarFillsWithTheStepsReached() {
        assertThat(RolloutFormat.progressBar(rollout(1, Phase.PROGRESSING), 25)).isEqualTo("[#####.....] step 2/4   25%  PROGRESSING");
        assertThat(RolloutFormat.progressBar(rollout(0, Phase.PROGRESSING), 5)).isEqualTo("[###.......] step 1/4    5%  PROGRESSING");
        assertThat(RolloutFormat.progressBar(rollout(3, Phase.COMPLETED), 100)).isEqualTo("[##########] step 4/4  100%  COMPLETED");
        assertThat(RolloutFormat.progressBar(rollout(-1, Phase.PROGRESSING), 0)).isEqualTo("[..........] step 0/4    0%  PROGRESSING");
    }

    @Test
    void afterARollbackTheBarShowsTheCanarysRealShareNotTheStepsPercent() {
        RolloutView r = rollout(1, Phase.ROLLED_BACK);
        StateView s = new StateView(5, RoutingState.Status.COMMITTED, Map.of("v1", 1.0, "v2", 0.0), "v1", 9, 0, r);

        assertThat(RolloutFormat.progressBar(r, RolloutFormat.canaryPercent(r, s))).isEqualTo("[#####.....] step 2/4    0%  ROLLED_BACK");
    }

    @Test
    void theStatusPageShowsProgressHealthOfBothVersionsAndTheLastVerdicts() {
        RolloutView r = new RolloutView("r1", "v2", STEPS, 1, 25, Phase.PROGRESSING, "canary healthy");
        StateView s = new StateView(4, RoutingState.Status.COMMITTED, Map.of("v1", 0.75, "v2", 0.25), "v1", 9, 0, r);
        VersionStatsView base = new VersionStatsView(5210, 27, 0.0052, 20.1, 41.0, 60.2);
        VersionStatsView can = new VersionStatsView(340, 1, 0.0029, 19.8, 40.2, 58.0);
        VerdictView v = new VerdictView(Verdict.Decision.PROMOTE, "error rate 0.29% <= 1.00%", 0, 0, base, can);
        ClusterHealthView h = new ClusterHealthView(0, List.of("node-a", "node-b"), Map.of("v1", base, "v2", can));

        String page = RolloutFormat.status(new RolloutStatusView(r, null, List.of(v), null), s, h, 5);

        assertThat(page).contains("Rollout r1: v1 -> v2")
                .contains("[#####.....] step 2/4   25%  PROGRESSING")
                .contains("Health (merged over node-a, node-b)")
                .contains("baseline v1     requests    5210  errors  0.52%  p50   20.1ms  p95   41.0ms  p99   60.2ms")
                .contains("canary   v2     requests     340  errors  0.29%")
                .contains("PROMOTE  step 1/4 (5%): error rate 0.29% <= 1.00%");
    }

    @Test
    void withoutARolloutTheStatusSaysHowToStartOne() {
        StateView s = new StateView(1, RoutingState.Status.COMMITTED, Map.of("v1", 1.0, "v2", 0.0), "v1", 0, 0, RolloutView.NONE);
        assertThat(RolloutFormat.status(new RolloutStatusView(RolloutView.NONE, null, List.of(), null), s, null, 5))
                .contains("No rollout has run").contains("canary rollout start --canary v2");
    }

    @Test
    void theProgressPrinterPrintsEachChangeAndEachVerdictOnce() {
        StringWriter text = new StringWriter();
        RolloutProgressPrinter printer = new RolloutProgressPrinter(new PrintWriter(text), "");
        RolloutView r0 = rollout(0, Phase.PROGRESSING);
        StateView s0 = new StateView(2, RoutingState.Status.COMMITTED, Map.of("v1", 0.95, "v2", 0.05), "v1", 1, 0, r0);
        VerdictView hold = new VerdictView(Verdict.Decision.HOLD, "too few requests", 0, 1, VersionStatsView.EMPTY, VersionStatsView.EMPTY);

        assertThat(printer.update(new RolloutStatusView(r0, null, List.of(), null), s0)).isTrue();
        assertThat(printer.update(new RolloutStatusView(r0, null, List.of(), null), s0)).isFalse();
        assertThat(printer.update(new RolloutStatusView(r0, null, List.of(hold), null), s0)).isTrue();
        assertThat(printer.update(new RolloutStatusView(r0, null, List.of(hold), null), s0)).isFalse();

        assertThat(text.toString().lines()).hasSize(2);
        assertThat(text.toString()).contains("step 1/4    5%  PROGRESSING").contains("verdict").contains("HOLD     step 1/4 (5%): too few requests");
    }
}
