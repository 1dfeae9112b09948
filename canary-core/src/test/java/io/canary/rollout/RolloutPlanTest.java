package io.canary.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutPlanTest {

    @Test
    void aPlanBuiltWithoutOptionsHasTheDocumentedDefaults() {
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").build();
        assertThat(plan.steps()).containsExactly(5, 25, 50, 100);
        assertThat(plan.stepInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(plan.minRequests()).isEqualTo(100);
        assertThat(plan.failureLimit()).isEqualTo(2);
        assertThat(plan.thresholds().maxErrorRateDelta()).hasValue(0.05);
        assertThat(plan.thresholds().maxP95Ratio()).hasValue(1.5);
        assertThat(plan.thresholds().maxErrorRate()).isEmpty();
        assertThat(plan.thresholds().maxP95Ms()).isEmpty();
    }

    @Test
    void everyOptionCanBeSetAndKeptThroughToBuilder() {
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").steps(10, 100).stepInterval(Duration.ofMinutes(2))
                .minRequests(500).failureLimit(3).maxErrorRate(0.01).maxP95Ms(250).build();
        assertThat(plan.toBuilder().build()).isEqualTo(plan);
        assertThat(plan.steps()).containsExactly(10, 100);
        assertThat(plan.thresholds().maxP95Ms()).hasValue(250.0);
        assertThat(plan.thresholds().maxP95Ratio()).hasValue(1.5);
    }

    @Test
    void badValuesAreRefusedNamingTheFieldAndTheValue() {
        RolloutPlan.Builder b = RolloutPlan.builder("v1", "v2");
        assertThatThrownBy(() -> b.steps(5, 50)).hasMessage("steps must end at 100, got [5, 50]");
        assertThatThrownBy(() -> b.steps(50, 25, 100)).hasMessage("steps must be strictly increasing percentages in (0,100], got [50, 25, 100]");
        assertThatThrownBy(() -> b.steps(List.of())).hasMessage("steps must be a non-empty list of percentages, got []");
        assertThatThrownBy(() -> b.stepInterval(Duration.ZERO)).hasMessage("stepInterval must be positive, got PT0S");
        assertThatThrownBy(() -> b.minRequests(-1)).hasMessage("minRequests must be >= 0, got -1");
        assertThatThrownBy(() -> b.failureLimit(0)).hasMessage("failureLimit must be >= 1, got 0");
        assertThatThrownBy(() -> b.maxErrorRate(1.5)).hasMessage("maxErrorRate must be in [0.0,1.0], got 1.5");
        assertThatThrownBy(() -> b.maxErrorRateDelta(-0.1)).hasMessage("maxErrorRateDelta must be in [0.0,1.0], got -0.1");
        assertThatThrownBy(() -> b.maxP95Ms(0)).hasMessage("maxP95Ms must be > 0, got 0.0");
        assertThatThrownBy(() -> b.maxP95Ratio(Double.NaN)).hasMessage("maxP95Ratio must be > 0, got NaN");
        assertThatThrownBy(() -> RolloutPlan.builder("v1", " ")).hasMessage("canary version must not be blank, got ' '");
        assertThatThrownBy(() -> RolloutPlan.builder("v1", "v1").build()).hasMessage("canary must differ from the baseline, both are v1");
    }

    @Test
    void aShadowStepIsAFirstZeroPercentStepWithAMirroredShareKeptThroughToBuilder() {
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").steps(10, 50, 100).shadow(25).build();
        assertThat(plan.steps()).containsExactly(0, 10, 50, 100);
        assertThat(plan.userSteps()).containsExactly(10, 50, 100);
        assertThat(plan.shadowMirrorPercent()).isEqualTo(25);
        assertThat(plan.isShadowStep(0)).isTrue();
        assertThat(plan.isShadowStep(1)).isFalse();
        assertThat(plan.analysedSteps()).isEqualTo(3);
        // the judge's priors expect the copies' share of the analysed requests: 25 copies per 100 baseline requests
        assertThat(plan.expectedCanaryShare(0)).isEqualTo(0.2);
        assertThat(plan.expectedCanaryShare(1)).isEqualTo(0.1);
        assertThat(plan.toBuilder().build()).isEqualTo(plan);
        assertThat(plan.toBuilder().shadow(0).build().steps()).containsExactly(10, 50, 100);
        assertThat(RolloutPlan.builder("v1", "v2").build().shadowMirrorPercent()).isZero();
    }

    @Test
    void aShadowShareOutOfRangeOrAZeroStepWithoutOneIsRefused() {
        RolloutPlan.Builder b = RolloutPlan.builder("v1", "v2");
        assertThatThrownBy(() -> b.shadow(101)).hasMessage("shadow mirror share must be in [0%,100%], got 101%");
        assertThatThrownBy(() -> b.shadow(-1)).hasMessage("shadow mirror share must be in [0%,100%], got -1%");
        assertThatThrownBy(() -> b.steps(0, 5, 100))
                .hasMessage("steps must be strictly increasing percentages in (0,100], got [0, 5, 100]");
        RolloutPlan ok = b.build();
        assertThatThrownBy(() -> new RolloutPlan("v1", "v2", List.of(0, 5, 100), ok.stepInterval(), 100, ok.thresholds(), 2,
                ok.maxStepDuration(), ok.onStepTimeout(), ok.judge(), ok.analysis(), 0))
                .hasMessage("a 0% step is a shadow step: it needs a mirrored share (shadowMirrorPercent), got steps [0, 5, 100]");
        assertThatThrownBy(() -> new RolloutPlan("v1", "v2", List.of(5, 100), ok.stepInterval(), 100, ok.thresholds(), 2,
                ok.maxStepDuration(), ok.onStepTimeout(), ok.judge(), ok.analysis(), 10))
                .hasMessage("a plan with a shadow step (mirroring 10%) must begin with a 0% step, got [5, 100]");
        assertThatThrownBy(() -> new RolloutPlan("v1", "v2", List.of(0, 0, 100), ok.stepInterval(), 100, ok.thresholds(), 2,
                ok.maxStepDuration(), ok.onStepTimeout(), ok.judge(), ok.analysis(), 10))
                .hasMessageContaining("strictly increasing");
    }

    @Test
    void theRollbackMarginsDefaultToTheirDocumentedValuesAndAreValidated() {
        Analysis a = Analysis.DEFAULT;
        assertThat(a.rollbackErrorRatio()).isEqualTo(1.2);
        assertThat(a.rollbackErrorFloor()).isEqualTo(0.002);
        // plans from before the rollback margins: the defaults, never wider than the promotion margin
        Analysis old = new Analysis(0.01, 0.2, 0.1, 0.001, 1.2, List.of(0.5));
        assertThat(old.rollbackErrorRatio()).isEqualTo(1.1);
        assertThat(old.rollbackErrorFloor()).isEqualTo(0.001);
        assertThatThrownBy(() -> a.withRollbackMargins(0.9, 0.002)).hasMessage("rollbackErrorRatio must be in [1.0,1000.0], got 0.9");
        assertThatThrownBy(() -> a.withRollbackMargins(1.2, 2)).hasMessage("rollbackErrorFloor must be in [0.0,1.0], got 2.0");
    }

    @Test
    void theBuilderSetsEveryMarginOfTheSequentialJudgeAndNamesABadOne() {
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").errorMargin(0.25, 0.01).rollbackErrorMargin(1.1, 0.001)
                .latencyRatio(1.3).quantiles(List.of(0.5, 0.99)).promotionRisk(0.1).alpha(0.02).build();
        assertThat(plan.analysis()).isEqualTo(new Analysis(0.02, 0.1, 0.25, 0.01, 1.3, List.of(0.5, 0.99), 1.1, 0.001));
        assertThat(plan.toBuilder().build()).isEqualTo(plan);
        RolloutPlan.Builder b = RolloutPlan.builder("v1", "v2");
        assertThatThrownBy(() -> b.errorMargin(-0.1, 0.005)).hasMessage("errorMarginRelative must be in [0.0,100.0], got -0.1");
        assertThatThrownBy(() -> b.errorMargin(0.5, 1.5)).hasMessage("errorMarginAbsolute must be in [0.0,1.0], got 1.5");
        assertThatThrownBy(() -> b.rollbackErrorMargin(0.9, 0.002)).hasMessage("rollbackErrorRatio must be in [1.0,1000.0], got 0.9");
        assertThatThrownBy(() -> b.rollbackErrorMargin(1.2, Double.NaN)).hasMessage("rollbackErrorFloor must be in [0.0,1.0], got NaN");
        assertThatThrownBy(() -> b.latencyRatio(0.8)).hasMessage("latencyRatio must be in [1.0,1000.0], got 0.8");
        assertThatThrownBy(() -> b.quantiles(List.of(0.9, 0.5))).hasMessageContaining("strictly increasing");
        assertThatThrownBy(() -> b.promotionRisk(0)).hasMessage("promotionRisk must be in [0 (exclusive),0.5], got 0.0");
        assertThat(b.build().analysis()).as("a refused value changes nothing").isEqualTo(Analysis.DEFAULT);
    }
}
