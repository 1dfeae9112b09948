package io.canary.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.health.LatencyHistogram;
import io.canary.health.VersionHealth;
import io.canary.health.VersionStats;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ThresholdJudgeTest {
    private final Judge judge = new ThresholdJudge();

    /** {@code requests} requests of {@code version} at {@code latencyMs}, {@code errors} of them failed. */
    private static VersionHealth health(String version, int requests, int errors, double latencyMs) {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < requests; i++) {
            h.record((long) (latencyMs * 1e6));
        }
        return new VersionHealth(version, requests, errors, h.snapshot());
    }

    private Verdict judge(RolloutPlan plan, int step, VersionHealth baseline, VersionHealth canary, long now) {
        return judge.judge(plan, new StepEvidence(step, 0, now, baseline, canary, java.util.List.of("node-a")));
    }

    @Test
    void tooLittleTrafficHoldsAndNamesTheCounts() {
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").minRequests(100).build();
        Verdict v = judge(plan, 0, health("v1", 340, 0, 10), health("v2", 12, 0, 10), 5_000);
        assertThat(v.decision()).isEqualTo(Verdict.Decision.HOLD);
        assertThat(v.reason()).isEqualTo("too little traffic to judge: canary v2 12 requests, baseline v1 340 requests, need 100 each");
        assertThat(v.at()).isEqualTo(5_000);
        assertThat(v.canary().requests()).isEqualTo(12);
    }

    @Test
    void noTrafficAtAllNeverPassesEvenWithoutAMinimum() {
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").minRequests(0).thresholds(Thresholds.NONE).build();
        Verdict v = judge(plan, 0, VersionHealth.empty("v1"), VersionHealth.empty("v2"), 0);
        assertThat(v.decision()).isEqualTo(Verdict.Decision.HOLD);
    }

    @Test
    void aHealthyCanaryIsPromotedWithTheNumbersQuoted() {
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").build();
        Verdict v = judge(plan, 2, health("v1", 1000, 10, 100), health("v2", 200, 3, 110), 0);
        assertThat(v.decision()).isEqualTo(Verdict.Decision.PROMOTE);
        assertThat(v.stepIndex()).isEqualTo(2);
        assertThat(v.reason()).startsWith("canary healthy: error rate 1.50% (baseline 1.00%), p95 ");
    }

    @Test
    void anErrorRateOverTheBaselinePlusTheDeltaRollsBack() {
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").maxErrorRateDelta(0.05).build();
        Verdict v = judge(plan, 0, health("v1", 1000, 10, 100), health("v2", 200, 24, 100), 0);
        assertThat(v.decision()).isEqualTo(Verdict.Decision.ROLLBACK);
        assertThat(v.reason()).isEqualTo("canary error rate 12.00% > baseline 1.00% + 5.00%");
    }

    @Test
    void anErrorRateOverTheAbsoluteMaximumRollsBack() {
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").thresholds(Thresholds.NONE).maxErrorRate(0.02).build();
        Verdict v = judge(plan, 0, health("v1", 1000, 30, 100), health("v2", 200, 6, 100), 0);
        assertThat(v.decision()).isEqualTo(Verdict.Decision.ROLLBACK);
        assertThat(v.reason()).isEqualTo("canary error rate 3.00% > max 2.00%");
    }

    @Test
    void aP95TwiceTheBaselinesRollsBackByRatioWhileTheAbsoluteBoundAlonePasses() {
        VersionHealth baseline = health("v1", 1000, 0, 118);
        VersionHealth canary = health("v2", 200, 0, 240);
        VersionStats b = baseline.stats();
        VersionStats c = canary.stats();

        RolloutPlan absoluteOnly = RolloutPlan.builder("v1", "v2").thresholds(Thresholds.NONE).maxP95Ms(500).build();
        assertThat(judge(absoluteOnly, 0, baseline, canary, 0).decision()).isEqualTo(Verdict.Decision.PROMOTE);

        RolloutPlan withRatio = absoluteOnly.toBuilder().maxP95Ratio(1.5).build();
        Verdict v = judge(withRatio, 0, baseline, canary, 0);
        assertThat(v.decision()).isEqualTo(Verdict.Decision.ROLLBACK);
        assertThat(v.reason()).isEqualTo(String.format(Locale.ROOT, "canary p95 %.1f ms > 1.5 x baseline p95 %.1f ms", c.p95Ms(), b.p95Ms()));
        assertThat(v.reason()).matches("canary p95 2\\d\\d\\.\\d ms > 1\\.5 x baseline p95 11\\d\\.\\d ms");
    }

    @Test
    void everyBrokenThresholdIsQuoted() {
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").maxErrorRate(0.05).maxErrorRateDelta(0.01).maxP95Ms(200).maxP95Ratio(1.2).build();
        Verdict v = judge(plan, 0, health("v1", 1000, 0, 100), health("v2", 100, 50, 300), 0);
        assertThat(v.reason().split("; ")).hasSize(4);
        assertThat(v.reason()).contains("> max 5.00%", "> baseline 0.00% + 1.00%", "> max 200.0 ms", "> 1.2 x baseline p95");
    }
}
