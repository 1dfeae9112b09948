package io.canary.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.health.HistogramLayout;
import io.canary.health.HistogramSnapshot;
import io.canary.health.VersionHealth;
import io.canary.rollout.JudgeSimulation.Behaviour;
import io.canary.rollout.Verdict.Decision;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequentialJudgeTest {
    private final SequentialJudge judge = new SequentialJudge();
    private final RolloutPlan plan = RolloutPlan.builder("v1", "v2").build();
    private static final Behaviour BASE = Behaviour.lognormal(0.01, 100, 0.5);

    private static VersionHealth health(String version, long requests, long errors, double latencyMs) {
        long[] counts = new long[HistogramLayout.BUCKET_COUNT];
        counts[HistogramLayout.indexOf((long) (latencyMs * 1e6))] = requests;
        return new VersionHealth(version, requests, errors, HistogramSnapshot.ofCounts(counts));
    }

    private Verdict judge(VersionHealth baseline, VersionHealth canary) {
        return judge.judge(plan, new StepEvidence(0, 0, 60_000, baseline, canary, List.of("node-a")));
    }

    private JudgeSimulation.Outcome step(long seed, Behaviour canary) {
        return new JudgeSimulation(seed).step(judge, plan, 0, 0.05, 600, BASE, canary, 30, 900);
    }

    @Test
    void itIsTheDefaultJudgeAndAnytimeValid() {
        assertThat(plan.judge()).isEqualTo(JudgeKind.SEQUENTIAL);
        assertThat(judge.anytimeValid()).isTrue();
    }

    @Test
    void aClearlyWorseErrorRateRollsBackWithAVerdictThatSaysWhatItSaw() {
        Verdict v = judge(health("v1", 20_000, 200, 100), health("v2", 1_000, 60, 100));
        assertThat(v.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(v.reason()).matches("canary error rate 6\\.00% \\[\\d\\.\\d\\d%, \\d+\\.\\d\\d%\\] vs baseline 1\\.00% "
                + "\\[0\\.\\d\\d%, 1\\.\\d\\d%\\]: error odds 6\\.32x the baseline's, worse beyond the rollback margin "
                + "of 1\\.2x \\(and 0\\.2 points\\), evidence 1/alpha reached after 1,000 canary requests "
                + "\\(e-value [0-9.e+]+ >= \\d+\\)");
        assertThat(v.canary().errorRate()).isEqualTo(0.06);
    }

    /** The plan's margins are what the judge applies: a wider rollback margin keeps a canary the default one rolls back. */
    @Test
    void thePlansMarginsReachTheVerdict() {
        VersionHealth baseline = health("v1", 100_000, 1_000, 100);
        VersionHealth canary = health("v2", 5_263, 105, 100); // 2% next to 1% at the 5% step: error odds 2.02x
        assertThat(judge(baseline, canary).decision()).isEqualTo(Decision.ROLLBACK);
        RolloutPlan lenient = plan.toBuilder().rollbackErrorMargin(3, 0.002).build();
        Verdict v = judge.judge(lenient, new StepEvidence(0, 0, 60_000, baseline, canary, List.of()));
        assertThat(v.decision()).isEqualTo(Decision.HOLD);
        assertThat(v.reason()).contains("error rate 2.00%");
        RolloutPlan wide = lenient.toBuilder().errorMargin(3, 0.005).build();
        assertThat(judge.judge(wide, new StepEvidence(0, 0, 60_000, baseline, canary, List.of())).decision())
                .as("within a 300% promotion margin").isEqualTo(Decision.PROMOTE);
        RolloutPlan slow = plan.toBuilder().latencyRatio(1.01).build();
        Verdict latency = judge.judge(slow, new StepEvidence(0, 0, 60_000, health("v1", 100_000, 1_000, 100),
                health("v2", 5_263, 53, 108), List.of()));
        assertThat(latency.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(latency.reason()).contains("over 1.01 x the baseline's");
    }

    @Test
    void sparseDataNeverPasses() {
        // a perfect canary on 50 requests: too little traffic (minRequests 100)
        Verdict few = judge(health("v1", 20_000, 200, 100), health("v2", 50, 0, 100));
        assertThat(few.decision()).isEqualTo(Decision.HOLD);
        assertThat(few.reason()).startsWith("too little traffic to judge: canary v2 50 requests");
        // even without a minimum, 120 requests cannot show a p99 within the margin: the bounds are open
        RolloutPlan noMinimum = plan.toBuilder().minRequests(0).build();
        Verdict open = judge.judge(noMinimum, new StepEvidence(0, 0, 1, health("v1", 20_000, 200, 100),
                health("v2", 120, 1, 100), List.of()));
        assertThat(open.decision()).isEqualTo(Decision.HOLD);
        assertThat(open.reason()).startsWith("not yet shown within the margins after 120 canary requests").contains("p99");
        assertThat(judge.judge(noMinimum, new StepEvidence(0, 0, 1, VersionHealth.empty("v1"), VersionHealth.empty("v2"),
                List.of())).decision()).isEqualTo(Decision.HOLD);
    }

    @Test
    void aHealthyCanaryIsPromotedOnceTheEvidenceShowsItWithinTheMargins() {
        JudgeSimulation.Outcome o = step(1, BASE);
        assertThat(o.decision()).isEqualTo(Decision.PROMOTE);
        assertThat(o.reason()).startsWith("canary within the margins after").contains("error rate").contains("p50")
                .contains("p90").contains("p99");
    }

    /**
     * The step's last analysis, at its maximum duration, is one look: fixed-sample bounds (1.96 standard
     * errors at 2.5%) where the sequences need about three. A 1.3% canary next to 1% (inside the 1.5%
     * margin) that the sequences cannot yet show within passes there; too few requests still do not.
     */
    @Test
    void theFinalLookAtTheMaximumStepDurationPromotesOnFixedSampleBoundsButNeverOnSparseData() {
        VersionHealth baseline = health("v1", 513_000, 5_130, 100);
        VersionHealth canary = health("v2", 27_000, 351, 100);
        long max = plan.maxStepDuration().toMillis();
        Verdict before = judge.judge(plan, new StepEvidence(0, 0, max - 1, baseline, canary, List.of()));
        assertThat(before.decision()).isEqualTo(Decision.HOLD);
        assertThat(before.reason()).startsWith("not yet shown within the margins after 27,000 canary requests: "
                + "error rate 1.30% (up to 1.52% so far, 1.46% allowed)");
        Verdict last = judge.judge(plan, new StepEvidence(0, 0, max, baseline, canary, List.of()));
        assertThat(last.decision()).isEqualTo(Decision.PROMOTE);
        assertThat(last.reason()).startsWith("canary within the margins at the final look (fixed-sample bounds, the step's "
                + "maximum duration reached) after 27,000 canary requests: error rate 1.30% (at most 1.44%) vs baseline 1.00%");
        Verdict few = judge.judge(plan, new StepEvidence(0, 0, max, baseline, health("v2", 2_700, 35, 100), List.of()));
        assertThat(few.decision()).isEqualTo(Decision.HOLD);
        assertThat(few.reason()).startsWith("not shown within the margins at the final look (fixed-sample bounds, the step's "
                + "maximum duration reached) after 2,700 canary requests: error rate 1.30% (up to 1.8");
        Verdict sparse = judge.judge(plan, new StepEvidence(0, 0, max, baseline, health("v2", 99, 0, 100), List.of()));
        assertThat(sparse.decision()).isEqualTo(Decision.HOLD);
        assertThat(sparse.reason()).startsWith("too little traffic to judge");
    }

    @Test
    void tailOnlyAndSpreadOnlyRegressionsAreRolledBackThoughTheirMedianBarelyMoves() {
        // 3% of requests ten times slower: the p99 moves, the median does not
        Behaviour tail = new Behaviour(0.01, z -> 100 * Math.exp(0.5 * z) * (Math.abs(z * 7919) % 1 < 0.03 ? 10 : 1));
        JudgeSimulation.Outcome t = step(2, tail);
        assertThat(t.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(t.reason()).contains("canary p99").contains("over 1.2 x the baseline's");
        // same mean, twice the spread (sigma 0.5 -> 1.0, median lowered to keep the mean)
        JudgeSimulation.Outcome s = step(3, Behaviour.lognormal(0.01, 100 * Math.exp(0.125 - 0.5), 1.0));
        assertThat(s.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(s.seconds()).isLessThan(120);
    }

    @Test
    void errorsFivePointsUpAndASlowerDistributionAreCaughtWithinSecondsAtTheFivePercentStep() {
        JudgeSimulation.Outcome errors = step(4, Behaviour.lognormal(0.06, 100, 0.5));
        assertThat(errors.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(errors.seconds()).isLessThanOrEqualTo(45);
        JudgeSimulation.Outcome slower = step(5, Behaviour.lognormal(0.01, 150, 0.5));
        assertThat(slower.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(slower.seconds()).isLessThanOrEqualTo(30);
    }

    @Test
    void theGuardrailsRollBackACanaryOverTheirAbsoluteBoundsEvenNextToAnEquallyBadBaseline() {
        RolloutPlan guarded = plan.toBuilder().maxErrorRate(0.02).maxP95Ms(150).build();
        Verdict errors = judge.judge(guarded, new StepEvidence(0, 0, 1, health("v1", 20_000, 1_000, 100),
                health("v2", 2_000, 100, 100), List.of()));
        assertThat(errors.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(errors.reason()).contains("above the guardrail of 2.00%");
        Verdict slow = judge.judge(guarded, new StepEvidence(0, 0, 1, health("v1", 20_000, 0, 300),
                health("v2", 2_000, 0, 300), List.of()));
        assertThat(slow.decision()).isEqualTo(Decision.ROLLBACK);
        assertThat(slow.reason()).contains("canary p95").contains("above the guardrail of 150.0 ms");
    }

    /**
     * The promise: under continuous monitoring (a verdict every second), a healthy canary (same
     * distribution as the baseline) is rolled back in at most alpha of its rollouts, every step
     * counted. Checked with alpha = 10% so a few hundred rollouts can see a violation. Each step runs
     * until promoted (or 400 s), so nearly every analysis is one a rollout really makes.
     */
    @Test
    void healthyRolloutsAreRolledBackInAtMostAlphaOfRunsUnderContinuousMonitoring() {
        RolloutPlan loose = plan.toBuilder().alpha(0.1).build();
        int rollouts = 150;
        int rolledBack = 0;
        int steps = 0;
        for (int seed = 0; seed < rollouts; seed++) {
            JudgeSimulation sim = new JudgeSimulation(1000 + seed);
            for (int step = 0; step < loose.analysedSteps(); step++) {
                // 600 req/s (the harness's 3 nodes x 200): each step ends once promoted, in a few minutes at 5%
                JudgeSimulation.Outcome o = sim.step(judge, loose, step, loose.steps().get(step) / 100.0, 600, BASE, BASE,
                        1, 400);
                steps++;
                if (o.decision() == Decision.ROLLBACK) {
                    rolledBack++;
                    break;
                }
            }
        }
        assertThat(steps).isGreaterThan(rollouts * 2);
        assertThat(rolledBack / (double) rollouts).as("false rollbacks in %d rollouts", rollouts).isLessThanOrEqualTo(0.1);
    }
}
