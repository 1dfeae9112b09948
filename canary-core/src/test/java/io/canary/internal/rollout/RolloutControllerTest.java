package io.canary.internal.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import io.canary.rollout.Verdict.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutControllerTest {
    private final ControllerHarness h = new ControllerHarness();

    private static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }

    @Test
    void healthyCanaryGoesThroughEveryStepAndCompletesWithTheCanaryAsBaseline() {
        h.start(ControllerHarness.plan());
        assertThat(h.committed.weights()).isEqualTo(Weights.split("v1", "v2", 5));
        h.advance(seconds(90));
        assertThat(h.percentsCommitted()).containsExactly(5, 25, 50, 100);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.COMPLETED);
        assertThat(h.committed.baseline()).isEqualTo("v2");
        assertThat(h.committed.weights().share("v2")).isEqualTo(1.0);
        assertThat(h.verdicts).extracting(Verdict::decision).containsExactly(Decision.PROMOTE, Decision.PROMOTE, Decision.PROMOTE);
        assertThat(h.log.get(0)).isInstanceOf(LogRecord.RolloutStarted.class);
        h.advance(seconds(300));
        assertThat(h.judgedAt).as("no analysis after completion").hasSize(3);
    }

    @Test
    void eachAnalysisRunsAStepIntervalAfterItsStepCommittedAndJudgesOnlyThatStepsHealth() {
        h.start(ControllerHarness.plan());
        long stepCommitted = h.now;
        h.advance(Duration.ofMillis(29_900));
        assertThat(h.judgedAt).isEmpty();
        h.advance(Duration.ofMillis(100));
        assertThat(h.judgedAt).containsExactly(stepCommitted + 30_000);
        assertThat(h.healthAskedSince).last().isEqualTo(stepCommitted);
        long secondStep = h.now;
        h.advance(seconds(30));
        assertThat(h.healthAskedSince).last().isEqualTo(secondStep);
    }

    @Test
    void failedAnalysesRollBackAtTheFailureLimitAndSayWhy() {
        h.decisions = step -> Decision.ROLLBACK;
        h.start(ControllerHarness.plan());
        h.advance(seconds(30));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PROGRESSING);
        assertThat(h.verdicts).last().extracting(Verdict::reason).isEqualTo("fake verdict (failed analysis 1 of 2)");
        h.advance(seconds(30));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(h.committed.weights()).isEqualTo(Weights.split("v1", "v2", 0));
        assertThat(h.committed.baseline()).isEqualTo("v1");
        assertThat(h.committed.rollout().reason()).contains("fake verdict");
        assertThat(h.verdicts).last().extracting(Verdict::reason).isEqualTo("fake verdict (failed analysis 2 of 2: rolling back)");
        h.advance(seconds(120));
        assertThat(h.judgedAt).hasSize(2);
    }

    @Test
    void aPassingAnalysisResetsTheCountOfFailures() {
        List<Decision> script = new ArrayList<>(List.of(Decision.ROLLBACK, Decision.PROMOTE, Decision.ROLLBACK, Decision.HOLD,
                Decision.ROLLBACK));
        h.decisions = step -> script.isEmpty() ? Decision.HOLD : script.remove(0);
        h.start(ControllerHarness.plan());
        h.advance(seconds(150));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(h.committed.rollout().stepIndex()).isEqualTo(1);
        assertThat(h.judgedAt).hasSize(5);
    }

    @Test
    void inconclusiveAnalysesHoldTheStepForever() {
        h.decisions = step -> Decision.HOLD;
        h.start(ControllerHarness.plan());
        h.advance(seconds(600));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(5);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PROGRESSING);
        assertThat(h.verdicts).hasSize(20).allMatch(v -> v.decision() == Decision.HOLD);
    }

    @Test
    void aPromotionThatCannotCommitIsReportedAndTriedAgainAfterTheNextAnalysis() {
        h.start(ControllerHarness.plan());
        h.failure = p -> p.kind() == RolloutEffect.Kind.PROMOTE ? "node-c did not answer" : null;
        h.advance(seconds(30));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(5);
        assertThat(h.verdicts).last().satisfies(v -> {
            assertThat(v.decision()).isEqualTo(Decision.HOLD);
            assertThat(v.reason()).isEqualTo("promotion to 25% failed: node-c did not answer; analysing again at the next interval");
        });
        h.failure = p -> null;
        h.advance(seconds(29));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(5);
        h.advance(seconds(1));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(25);
    }

    @Test
    void aRollbackThatCannotCommitIsRetriedEveryRetryIntervalUntilItDoes() {
        h.decisions = step -> Decision.ROLLBACK;
        h.start(ControllerHarness.plan());
        int[] attempts = {0};
        h.failure = p -> p.kind() == RolloutEffect.Kind.ROLLBACK && ++attempts[0] <= 3 ? "node-b voted NO: busy" : null;
        h.advance(seconds(60));
        assertThat(attempts[0]).isEqualTo(1);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PROGRESSING);
        assertThat(h.verdicts).last().extracting(Verdict::reason)
                .isEqualTo("rollback failed: node-b voted NO: busy; retrying every 200 ms until it commits");
        h.advance(Duration.ofMillis(600));
        assertThat(attempts[0]).isEqualTo(4);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(h.verdicts).filteredOn(v -> v.reason().startsWith("rollback failed")).hasSize(1);
    }

    @Test
    void pauseStopsAnalysesAndResumeRestartsThemAStepIntervalLater() {
        h.start(ControllerHarness.plan());
        h.advance(seconds(10));
        h.control(RolloutAction.PAUSE);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PAUSED);
        assertThat(h.committed.weights()).isEqualTo(Weights.split("v1", "v2", 5));
        h.advance(Duration.ofMinutes(10));
        assertThat(h.judgedAt).isEmpty();
        h.control(RolloutAction.PAUSE);
        assertThat(h.lastOutcome).as("pausing a paused rollout changes nothing").isEmpty();
        h.control(RolloutAction.RESUME);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PROGRESSING);
        long resumed = h.now;
        h.advance(seconds(30));
        assertThat(h.judgedAt).containsExactly(resumed + 30_000);
        assertThat(h.verdicts).extracting(Verdict::reason).startsWith("paused by operator", "resumed by operator");
    }

    @Test
    void aPauseLongerThanTheMaximumAbortsTheRollout() {
        h.start(ControllerHarness.plan());
        h.control(RolloutAction.PAUSE);
        h.advance(ControllerHarness.MAX_PAUSE.minusSeconds(1));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PAUSED);
        h.advance(seconds(1));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ABORTED);
        assertThat(h.committed.weights()).isEqualTo(Weights.split("v1", "v2", 0));
        assertThat(h.committed.rollout().reason()).contains("maximum pause of PT1H");
    }

    @Test
    void anOperatorPromotesToTheNextStepEvenWhileAnalysesFail() {
        h.decisions = step -> step == 0 ? Decision.ROLLBACK : Decision.HOLD;
        h.start(ControllerHarness.plan());
        h.advance(seconds(30));
        assertThat(h.controller.consecutiveFailures()).isEqualTo(1);
        h.control(RolloutAction.PROMOTE);
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(25);
        assertThat(h.controller.consecutiveFailures()).isZero();
        assertThat(h.verdicts).last().extracting(Verdict::reason).isEqualTo("promoted by operator from 5% to 25%");
        h.advance(seconds(120));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PROGRESSING);
    }

    @Test
    void promotingThePenultimateStepCompletesTheRollout() {
        h.decisions = step -> Decision.HOLD;
        h.start(RolloutPlan.builder("v1", "v2").steps(50, 100).build());
        h.control(RolloutAction.PROMOTE);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.COMPLETED);
        assertThat(h.committed.baseline()).isEqualTo("v2");
    }

    @Test
    void abortRollsBackAtOnceAlsoWhilePaused() {
        h.start(ControllerHarness.plan());
        h.advance(seconds(30));
        h.control(RolloutAction.PAUSE);
        h.control(RolloutAction.ABORT);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ABORTED);
        assertThat(h.committed.weights()).isEqualTo(Weights.split("v1", "v2", 0));
        assertThat(h.committed.baseline()).isEqualTo("v1");
        assertThat(h.committed.rollout().reason()).isEqualTo("aborted: aborted by operator");
        h.control(RolloutAction.RESUME);
        assertThat(h.lastOutcome).isEqualTo("rejected: no rollout is running (rollout " + h.committed.rollout().id()
                + " is aborted at step 2 of 4, 25%)");
    }

    @Test
    void commandsWithoutARunningRolloutAreRejectedWithAReason() {
        h.control(RolloutAction.PAUSE);
        assertThat(h.lastOutcome).isEqualTo("rejected: no rollout is running");
    }

    @Test
    void aSecondRolloutIsRefusedWhileOneRunsAndAPlanMustStartFromTheServingBaseline() {
        h.start(ControllerHarness.plan());
        h.start(ControllerHarness.plan());
        assertThat(h.lastOutcome).startsWith("rejected: rollout ").contains("is already running (progressing at step 1 of 4, 5%)");
        h.control(RolloutAction.ABORT);
        h.start(RolloutPlan.builder("v3", "v2").build());
        assertThat(h.lastOutcome).isEqualTo("rejected: the plan's baseline v3 is not the serving baseline v1");
    }

    @Test
    void aStartThatCannotCommitLeavesNoRolloutBehind() {
        h.failure = p -> "node-b voted NO: cannot serve v2";
        CommandResult r = h.start(ControllerHarness.plan());
        assertThat(r).isInstanceOf(CommandResult.Proposed.class);
        assertThat(h.lastOutcome).isEqualTo("failed: node-b voted NO: cannot serve v2");
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.NONE);
        h.failure = p -> null;
        h.start(ControllerHarness.plan());
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PROGRESSING);
    }

    @Test
    void aRestartedCoordinatorContinuesTheSameStepWithItsFailureCount() {
        h.decisions = step -> step == 1 ? Decision.ROLLBACK : Decision.PROMOTE;
        h.start(ControllerHarness.plan());
        h.advance(seconds(60));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(25);
        assertThat(h.controller.consecutiveFailures()).isEqualTo(1);

        h.restartController(h.log);
        assertThat(h.controller.consecutiveFailures()).isEqualTo(1);
        assertThat(h.controller.plan()).contains(ControllerHarness.plan());
        long restartedAt = h.now;
        h.advance(seconds(30));
        assertThat(h.judgedAt).last().isEqualTo(restartedAt + 30_000);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(h.committed.rollout().stepIndex()).isEqualTo(1);
    }

    @Test
    void aRestartedCoordinatorWhoseLogLostThePlanTakesItFromTheCommittedState() {
        h.start(ControllerHarness.plan());
        h.restartController(List.of());
        assertThat(h.controller.plan()).contains(ControllerHarness.plan());
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PROGRESSING);
    }

    @Test
    void aRestartedCoordinatorWithNoPlanAnywhereRollsBack() {
        h.start(ControllerHarness.plan());
        io.canary.model.RolloutInfo r = h.committed.rollout();
        h.committed = h.committed.next(h.committed.weights(), h.committed.baseline(),
                new io.canary.model.RolloutInfo(r.id(), r.canary(), r.steps(), r.stepIndex(), r.phase(), r.reason()),
                h.committed.txId(), h.committed.committedAt());
        h.restartController(List.of());
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ABORTED);
        assertThat(h.committed.weights().share("v1")).isEqualTo(1.0);
        assertThat(h.verdicts).last().extracting(Verdict::reason).asString().contains("is not in the log");
    }

    @Test
    void aJudgeThatThrowsHoldsTheRollout() {
        h.controller = new RolloutController((plan, step, b, c, at) -> {
            throw new ArithmeticException("/ by zero");
        }, since -> new io.canary.ClusterHealth(h.now, List.of(), java.util.Map.of()), ControllerHarness.RETRY,
                ControllerHarness.MAX_PAUSE);
        h.start(ControllerHarness.plan());
        h.advance(seconds(30));
        assertThat(h.verdicts).last().satisfies(v -> {
            assertThat(v.decision()).isEqualTo(Decision.HOLD);
            assertThat(v.reason()).isEqualTo("judge failed: java.lang.ArithmeticException: / by zero");
        });
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PROGRESSING);
    }

    @Test
    void aChangeQueuedBehindAnotherDoesNotApplyToAStateItWasNotMeantFor() {
        h.start(ControllerHarness.plan());
        RoutingState atFirstStep = h.committed;
        RoutingState aborted = RolloutTransitions.rollBack(atFirstStep, atFirstStep.rollout().id(), ControllerHarness.plan(),
                Phase.ABORTED, "test");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RolloutTransitions.promote(aborted,
                        aborted.rollout().id(), ControllerHarness.plan(), 0, "late", 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("has ended");
        RoutingState promoted = RolloutTransitions.promote(atFirstStep, atFirstStep.rollout().id(), ControllerHarness.plan(), 0, "x", 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RolloutTransitions.promote(promoted,
                        promoted.rollout().id(), ControllerHarness.plan(), 0, "again", 0))
                .hasMessageContaining("moved on");
    }
}
