package io.canary.internal.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.internal.protocol.Outcome;
import io.canary.internal.rollout.RolloutState.Analysing;
import io.canary.internal.rollout.RolloutState.Idle;
import io.canary.internal.rollout.RolloutState.Paused;
import io.canary.internal.rollout.RolloutState.RollingBack;
import io.canary.internal.rollout.RolloutState.Starting;
import io.canary.model.RolloutInfo.Phase;
import io.canary.rollout.JudgeKind;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.StepTimeout;
import io.canary.rollout.Verdict;
import io.canary.rollout.Verdict.Decision;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every state of the rollout engine and every transition, in virtual time. */
class RolloutEngineTest {
    private final EngineHarness h = new EngineHarness();

    private static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }

    private List<Decision> decisions() {
        return h.published.stream().map(Verdict::decision).toList();
    }

    @Test
    void idleStartsCommitsTheFirstStepCarryingThePlanAndAnalyses() {
        assertThat(h.engine.state()).isInstanceOf(Idle.class);
        long call = h.start(EngineHarness.plan());
        assertThat(h.completed.get(call)).isInstanceOf(Outcome.Success.class);
        assertThat(h.committed.rollout().plan()).contains(EngineHarness.plan());
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(5);
        assertThat(h.committed.rollout().stepStartedAt()).isEqualTo(h.now);
        assertThat(h.engine.state()).isInstanceOf(Analysing.class);
        h.advance(seconds(3));
        // the anytime-valid judge is asked at every tick (health exchange)
        assertThat(h.judgedAt).hasSize(3);
    }

    @Test
    void aStartWhileOneIsStartingOrRunningIsRefused() {
        h.failProposals = false;
        EngineHarness slow = new EngineHarness();
        // a start whose proposal has not come back: Starting
        slow.engine.command(new Message.StartRollout(EngineHarness.plan()), 99, slow.now).forEach(e -> { });
        assertThat(slow.engine.state()).isInstanceOf(Starting.class);
        slow.run(slow.engine.command(new Message.StartRollout(EngineHarness.plan()), 100, slow.now));
        assertThat(slow.failureOf(100)).contains("is being started");
        slow.run(slow.engine.command(new Message.ControlRollout(RolloutAction.PAUSE), 101, slow.now));
        assertThat(slow.failureOf(101)).contains("still starting");

        h.start(EngineHarness.plan());
        long again = h.start(EngineHarness.plan());
        assertThat(h.failureOf(again)).contains("is already running");
    }

    @Test
    void aFailedStartGoesBackToIdleAndTellsTheCaller() {
        h.failProposals = true;
        long call = h.start(EngineHarness.plan());
        assertThat(h.failureOf(call)).isEqualTo("no majority");
        assertThat(h.engine.state()).isInstanceOf(Idle.class);
    }

    @Test
    void anAnytimeValidRollbackRollsBackAtTheFirstTickThatSeesIt() {
        h.start(EngineHarness.plan());
        h.advance(seconds(2));
        h.decision = Decision.ROLLBACK;
        h.advance(seconds(1));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(h.committed.weights().share("v2")).isZero();
        assertThat(h.committed.rollout().reason()).startsWith("rolled back: fake ROLLBACK");
        assertThat(h.engine.state()).isInstanceOf(Idle.class);
        assertThat(decisions()).containsExactly(Decision.ROLLBACK);
        // the verdict went to every peer
        assertThat(h.sent).filteredOn(m -> m instanceof Message.VerdictReport).hasSize(2);
    }

    @Test
    void aRollbackThatDoesNotCommitIsRetriedEveryRetryIntervalUntilItDoes() {
        h.start(EngineHarness.plan());
        h.decision = Decision.ROLLBACK;
        h.failProposals = true;
        h.advance(seconds(1));
        assertThat(h.engine.state()).isInstanceOf(RollingBack.class);
        int tried = h.proposals.size();
        h.advance(seconds(4));
        assertThat(h.proposals.size()).isEqualTo(tried + 2); // every 2 s
        h.failProposals = false;
        h.advance(seconds(2));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(h.engine.state()).isInstanceOf(Idle.class);
    }

    @Test
    void aPromoteVerdictWaitsForTheMinimumStepDurationThenPromotes() {
        h.start(EngineHarness.plan());
        h.decision = Decision.PROMOTE;
        h.advance(seconds(29));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(5);
        assertThat(h.published).isEmpty();
        assertThat(h.engine.latest()).hasValueSatisfying(v -> assertThat(v.decision()).isEqualTo(Decision.PROMOTE));
        h.advance(seconds(1));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(25);
        assertThat(decisions()).containsExactly(Decision.PROMOTE);
        // the new step starts its own clock
        assertThat(h.committed.rollout().stepStartedAt()).isEqualTo(h.now);
        h.advance(seconds(90));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.COMPLETED);
        assertThat(h.committed.baseline()).isEqualTo("v2");
        assertThat(h.engine.state()).isInstanceOf(Idle.class);
    }

    @Test
    void holdsArePublishedAtMostOncePerStepIntervalThoughJudgedEveryTick() {
        h.start(EngineHarness.plan());
        h.advance(seconds(61));
        assertThat(h.judgedAt).hasSize(61);
        assertThat(decisions()).containsExactly(Decision.HOLD, Decision.HOLD);
    }

    @Test
    void aStepThatHoldsUntilTheMaximumDurationEndsAsThePlanSays() {
        h.start(EngineHarness.plan());
        h.advance(Duration.ofMinutes(10));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(h.published).last().extracting(Verdict::reason).asString()
                .contains("still undecided after the maximum step duration of 10 min").contains("rolling back, as the plan says");

        EngineHarness pausing = new EngineHarness();
        pausing.start(EngineHarness.plan().toBuilder().onStepTimeout(StepTimeout.PAUSE).build());
        pausing.advance(Duration.ofMinutes(10));
        assertThat(pausing.committed.rollout().phase()).isEqualTo(Phase.PAUSED);
        assertThat(pausing.engine.state()).isInstanceOf(Paused.class);
    }

    @Test
    void pauseStopsAnalysesResumeRestartsThemAndTheStepKeepsItsClock() {
        h.start(EngineHarness.plan());
        long startedAt = h.committed.rollout().stepStartedAt();
        h.advance(seconds(5));
        long pause = h.control(RolloutAction.PAUSE);
        assertThat(h.completed.get(pause)).isInstanceOf(Outcome.Success.class);
        assertThat(h.engine.state()).isInstanceOf(Paused.class);
        int judged = h.judgedAt.size();
        h.decision = Decision.ROLLBACK;
        h.advance(seconds(60));
        assertThat(h.judgedAt).hasSize(judged);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PAUSED);
        long pauseAgain = h.control(RolloutAction.PAUSE);
        assertThat(h.completed.get(pauseAgain)).isInstanceOf(Outcome.Success.class); // already so
        h.decision = Decision.HOLD;
        h.control(RolloutAction.RESUME);
        assertThat(h.engine.state()).isInstanceOf(Analysing.class);
        assertThat(h.committed.rollout().stepStartedAt()).isEqualTo(startedAt);
        h.advance(seconds(2));
        assertThat(h.judgedAt.size()).isGreaterThan(judged);
    }

    @Test
    void aPauseLongerThanTheMaximumAborts() {
        h.start(EngineHarness.plan());
        h.control(RolloutAction.PAUSE);
        h.advance(EngineHarness.MAX_PAUSE.plusSeconds(1));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ABORTED);
        assertThat(h.committed.rollout().reason()).contains("maximum pause");
    }

    @Test
    void anOperatorPromotesDuringAnalysisAndWhilePaused() {
        h.start(EngineHarness.plan());
        h.decision = Decision.ROLLBACK;
        h.anytimeValid = false; // a threshold-style judge failing, below its failure limit
        h.advance(seconds(30));
        long promote = h.control(RolloutAction.PROMOTE);
        assertThat(h.completed.get(promote)).isInstanceOf(Outcome.Success.class);
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(25);
        h.control(RolloutAction.PAUSE);
        h.control(RolloutAction.PROMOTE);
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(50);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PAUSED);
        assertThat(h.engine.state()).isInstanceOf(Paused.class);
    }

    @Test
    void abortRollsBackFromAnalysingAndPausedAndIsRefusedOnceRollingBack() {
        h.start(EngineHarness.plan());
        h.failProposals = true;
        long abort = h.control(RolloutAction.ABORT);
        assertThat(h.engine.state()).isInstanceOf(RollingBack.class);
        long second = h.control(RolloutAction.ABORT);
        assertThat(h.failureOf(second)).contains("already being rolled back");
        assertThat(h.failureOf(abort)).isEqualTo("no majority"); // the caller learns its try failed
        h.failProposals = false;
        h.advance(seconds(2));
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ABORTED);

        EngineHarness paused = new EngineHarness();
        paused.start(EngineHarness.plan());
        paused.control(RolloutAction.PAUSE);
        long call = paused.control(RolloutAction.ABORT);
        assertThat(paused.completed.get(call)).isInstanceOf(Outcome.Success.class);
        assertThat(paused.committed.rollout().phase()).isEqualTo(Phase.ABORTED);
        long late = paused.control(RolloutAction.RESUME);
        assertThat(paused.failureOf(late)).contains("no rollout is running");
    }

    @Test
    void aThresholdJudgeIsAskedOncePerIntervalAndRollsBackAtTheFailureLimit() {
        h.anytimeValid = false;
        h.start(EngineHarness.plan().toBuilder().judge(JudgeKind.THRESHOLD).failureLimit(2).build());
        h.decision = Decision.ROLLBACK;
        h.advance(seconds(31));
        assertThat(h.judgedAt).hasSize(1);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.PROGRESSING);
        assertThat(h.published).last().extracting(Verdict::reason).asString().endsWith("(failed analysis 1 of 2)");
        h.advance(seconds(30));
        assertThat(h.judgedAt).hasSize(2);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ROLLED_BACK);
    }

    @Test
    void aNewCoordinatorTakesTheRolloutOverMidStepFromTheCommittedState() {
        RolloutPlan plan = EngineHarness.plan();
        h.start(plan);
        h.decision = Decision.PROMOTE;
        h.advance(seconds(30));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(25);
        long stepStart = h.committed.rollout().stepStartedAt();
        h.decision = Decision.HOLD;
        h.advance(seconds(20));
        RolloutEngine old = h.engine;
        long pendingCall = 77;
        h.run(old.roleLost(4)); // nothing waits: no completion
        h.failover();
        assertThat(h.engine.state()).isInstanceOfSatisfying(Analysing.class, a -> {
            assertThat(a.step().index()).isEqualTo(1);
            assertThat(a.step().startedAt()).isEqualTo(stepStart); // the step keeps its clock
            assertThat(a.step().plan()).isEqualTo(plan);
        });
        // the minimum step duration counts from the step's start, not from the takeover
        h.decision = Decision.PROMOTE;
        h.advance(seconds(10));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(50);
        // the old engine's ticks are ignored
        assertThat(old.tick(old.generation() - 1, new io.canary.ClusterHealth(h.now, List.of(), java.util.Map.of()), h.now))
                .isEmpty();
        assertThat(h.completed).doesNotContainKey(pendingCall);
    }

    @Test
    void losingTheRoleFailsWaitingCallersWithARetryableOutcome() {
        EngineHarness slow = new EngineHarness();
        slow.engine.command(new Message.StartRollout(EngineHarness.plan()), 5, slow.now); // proposal never answered
        slow.run(slow.engine.roleLost(3));
        assertThat(slow.completed.get(5L)).isInstanceOfSatisfying(Outcome.Failure.class, f -> {
            assertThat(f.outcomeUnknown()).isTrue();
            assertThat(f.reason()).contains("no longer the coordinator (term 3); retry through the new one");
        });
        assertThat(slow.engine.state()).isInstanceOf(Idle.class);
    }

    @Test
    void aChangeUnderWayRefusesAnotherButNotAnAbort() {
        EngineHarness slow = new EngineHarness();
        slow.start(EngineHarness.plan());
        // a pause whose proposal does not come back
        slow.engine.command(new Message.ControlRollout(RolloutAction.PAUSE), 50, slow.now);
        slow.run(slow.engine.command(new Message.ControlRollout(RolloutAction.PROMOTE), 51, slow.now));
        assertThat(slow.failureOf(51)).contains("a pause of rollout").contains("is under way");
        slow.run(slow.engine.command(new Message.ControlRollout(RolloutAction.ABORT), 52, slow.now));
        assertThat(slow.committed.rollout().phase()).isEqualTo(Phase.ABORTED);
    }

    /** Times (ms after {@code from}) at which promotions were proposed while advancing {@code total} in 1 s steps. */
    private List<Long> promotionsOver(long from, int seconds) {
        List<Long> at = new java.util.ArrayList<>();
        for (int i = 0; i < seconds; i++) {
            int before = (int) h.proposals.stream().filter(p -> p.startsWith("promote")).count();
            h.advance(seconds(1));
            long after = h.proposals.stream().filter(p -> p.startsWith("promote")).count();
            if (after > before) {
                at.add((h.now - from) / 1000);
            }
        }
        return at;
    }

    @Test
    void aPromotionThatKeepsFailingIsRetriedWithExponentialBackOffNotAtEveryAnalysis() {
        h.start(EngineHarness.plan()); // step interval 30 s, a tick every second
        long started = h.now;
        h.decision = Decision.PROMOTE;
        h.failPromotions = true;
        h.everyReachable = false; // node-c is lost: every promotion aborts
        List<Long> at = promotionsOver(started, 30 + 30 + 60 + 120 + 240 + 240 + 1);
        // the first at the minimum step duration, then 30, 60, 120, 240 s later, and at most every 240 s (8 step intervals)
        assertThat(at).containsExactly(30L, 60L, 120L, 240L, 480L, 720L);
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(5);
        assertThat(h.published).filteredOn(v -> v.decision() == Decision.HOLD).first()
                .satisfies(v -> assertThat(v.reason()).contains("no vote from node-c")
                        .contains("the next promotion in 30000 ms at the earliest")
                        .contains("at once when every member is reachable again"));
    }

    @Test
    void aBackedOffPromotionGoesAtOnceWhenEveryMemberIsReachableAgain() {
        h.start(EngineHarness.plan());
        long started = h.now;
        h.decision = Decision.PROMOTE;
        h.failPromotions = true;
        h.everyReachable = false;
        assertThat(promotionsOver(started, 30 + 30 + 60 + 5)).containsExactly(30L, 60L, 120L);
        // node-c is back (two-way): the next analysis promotes, 5 s into a 120 s back-off, and it commits
        h.failPromotions = false;
        h.everyReachable = true;
        h.advance(seconds(1));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(25);
    }

    @Test
    void aPromotionThatFailedWhileEveryMemberWasReachableWaitsItsWholeBackOff() {
        h.start(EngineHarness.plan());
        long started = h.now;
        h.decision = Decision.PROMOTE;
        h.failPromotions = true; // e.g. node-c votes NO: its disk fails, though it answers
        assertThat(promotionsOver(started, 30 + 29)).containsExactly(30L);
        h.failPromotions = false;
        h.advance(seconds(1));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(25);
        // the next step starts with no back-off: its promotion goes at its minimum duration
        h.advance(seconds(30));
        assertThat(h.committed.rollout().currentPercent()).isEqualTo(50);
    }

    @Test
    void aRollbackOrAnAbortNeverWaitsForABackedOffPromotion() {
        h.start(EngineHarness.plan());
        h.decision = Decision.PROMOTE;
        h.failPromotions = true;
        h.everyReachable = false;
        h.advance(seconds(65)); // two failed promotions, backing off until 120 s
        long abort = h.control(RolloutAction.ABORT);
        assertThat(h.completed.get(abort)).as("proposed and committed at once").isInstanceOf(Outcome.Success.class);
        assertThat(h.committed.rollout().phase()).isEqualTo(Phase.ABORTED);

        EngineHarness judged = new EngineHarness();
        judged.start(EngineHarness.plan());
        judged.decision = Decision.PROMOTE;
        judged.failPromotions = true;
        judged.everyReachable = false;
        judged.advance(seconds(65));
        judged.decision = Decision.ROLLBACK; // the canary turns bad during the back-off
        judged.advance(seconds(1));
        assertThat(judged.committed.rollout().phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(judged.committed.weights().share("v2")).isZero();
    }
}
