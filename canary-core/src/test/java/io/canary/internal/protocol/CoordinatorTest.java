package io.canary.internal.protocol;

import static io.canary.internal.protocol.Fixture.A;
import static io.canary.internal.protocol.Fixture.AT_25;
import static io.canary.internal.protocol.Fixture.B;
import static io.canary.internal.protocol.Fixture.C;
import static io.canary.internal.protocol.Fixture.CONFIG;
import static io.canary.internal.protocol.Fixture.MEMBERS;
import static io.canary.internal.protocol.Fixture.canaryAt;
import static io.canary.internal.protocol.Fixture.contact;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.transport.Message;
import io.canary.transport.Message.Refusal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The commit rules of {@link Coordinator}, on the effects it emits: every commit needs a majority,
 * a promotion needs every member, nothing that lowers the canary can be vetoed by a member that
 * cannot take part (silent, unreachable, or refusing for a reason about itself), and whoever is
 * left out is marked stale. node-a coordinates term 3 at 25%.
 */
class CoordinatorTest {
    private static final long TERM = 3;
    private static final long CALL = 7;

    private final Membership membership = new Membership(A, MEMBERS, CONFIG, 0);
    private final Participant local = Fixture.participant(A, AT_25);
    private final Coordinator coordinator = new Coordinator(A, CONFIG, TERM, local, membership, new Replies(), () -> 5_000);
    private final List<Effect> effects = new ArrayList<>();
    private long now = 1_000;

    private long propose(int percent) {
        effects.addAll(coordinator.propose(canaryAt(percent), StateChange.Requester.OPERATOR, new Caller.Local(CALL),
                "v2 to " + percent + "%", now));
        List<Message.Prepare> prepares = Fx.sent(effects, Message.Prepare.class);
        assertThat(prepares).isNotEmpty();
        return prepares.get(prepares.size() - 1).txId();
    }

    private void vote(String from, long txId) {
        effects.addAll(coordinator.onVote(from, Message.Vote.yes(TERM, txId), now));
    }

    private void voteNo(String from, long txId, Refusal why) {
        effects.addAll(coordinator.onVote(from, Message.Vote.no(TERM, txId, why, from + " says " + why), now));
    }

    private void timeout(long txId) {
        now += CONFIG.prepareTimeout().toMillis();
        effects.addAll(coordinator.onPrepareTimeout(txId, now));
    }

    private boolean committed(long txId) {
        return Fx.of(effects, Effect.Append.class).stream()
                .anyMatch(a -> a.record() instanceof LogRecord.Committed c && c.txId() == txId && a.durable());
    }

    private Outcome outcome() {
        return Fx.outcome(effects, CALL);
    }

    @Test
    void transactionIdsCarryTheTermSoNoTwoTermsShareOne() {
        contact(membership, B, now);
        contact(membership, C, now);
        long txId = propose(0);
        assertThat(txId >>> 32).isEqualTo(TERM);
        assertThat(Fx.recipients(effects, Message.Prepare.class)).containsExactly(A, B, C);
        assertThat(Fx.sent(effects, Message.Prepare.class)).allMatch(p -> p.term() == TERM && p.proposed().version() == 3);
    }

    @Test
    void aRollbackCommitsOnAMajorityAtOnceWhenTheSilentMemberIsUnreachableAndMarksItStale() {
        contact(membership, B, now); // node-c: no two-way contact
        long txId = propose(0);
        assertThat(Fx.recipients(effects, Message.Prepare.class)).as("every member is asked").containsExactly(A, B, C);
        vote(A, txId);
        assertThat(committed(txId)).as("one YES is no majority").isFalse();
        vote(B, txId);

        assertThat(committed(txId)).isTrue();
        int decided = Fx.indexOf(effects, e -> e instanceof Effect.Append a && a.record() instanceof LogRecord.Committed);
        int firstCommit = Fx.indexOf(effects, e -> e instanceof Effect.Send s && s.message() instanceof Message.Commit);
        int applied = Fx.indexOf(effects, e -> e instanceof Effect.Apply);
        // Issue 13: Commit leaves at the decision, before the coordinator's own record; it routes on the
        // state only once that record is durable.
        assertThat(firstCommit).as("Commit goes out at the decision").isLessThan(decided);
        assertThat(applied).as("the decision is durable before this node routes on it").isGreaterThan(decided);
        assertThat(outcome()).isInstanceOfSatisfying(Outcome.Success.class,
                s -> assertThat(s.state().weights().basisPoints("v2")).isZero());
        assertThat(membership.isStale(C)).isTrue();
        assertThat(Fx.recipients(effects, Message.Commit.class)).as("node-c is told once anyway").contains(C);
    }

    @Test
    void aRollbackWaitsForAReachableSilentMemberOnlyForTheGraceAfterTheMajority() {
        contact(membership, B, now);
        contact(membership, C, now);
        long txId = propose(0);
        vote(A, txId);
        vote(B, txId);
        assertThat(committed(txId)).as("node-c is reachable: its vote is awaited, for a while").isFalse();
        assertThat(Fx.of(effects, Effect.Schedule.class)).as("the grace starts with the majority's YES")
                .anyMatch(s -> s.timer().equals(new Timer.CommitGrace(txId))
                        && s.delay().toMillis() == PrepareRound.lowerGrace(CONFIG));

        now += PrepareRound.lowerGrace(CONFIG) - 1;
        effects.addAll(coordinator.onCommitGrace(txId, now));
        assertThat(committed(txId)).as("not before the grace ran out").isFalse();
        now += 1;
        effects.addAll(coordinator.onCommitGrace(txId, now));
        assertThat(committed(txId)).as("nobody vetoes a rollback by silence, nor slows it to the slowest disk").isTrue();
        assertThat(outcome()).isInstanceOf(Outcome.Success.class);
        assertThat(membership.isStale(C)).isTrue();
    }

    @Test
    void aRollbackTakesAVoteThatArrivesWithinTheGrace() {
        contact(membership, B, now);
        contact(membership, C, now);
        long txId = propose(0);
        vote(A, txId);
        vote(B, txId);
        now += PrepareRound.lowerGrace(CONFIG) / 2;
        vote(C, txId);
        assertThat(committed(txId)).as("every member answered: no need to wait the grace out").isTrue();
        assertThat(membership.isStale(C)).isFalse();
    }

    @Test
    void aPromotionIgnoresTheGraceAndWaitsForEveryVote() {
        contact(membership, B, now);
        contact(membership, C, now);
        long txId = propose(50);
        vote(A, txId);
        vote(B, txId);
        assertThat(Fx.of(effects, Effect.Schedule.class)).noneMatch(s -> s.timer() instanceof Timer.CommitGrace);
        now += PrepareRound.lowerGrace(CONFIG) * 10;
        effects.addAll(coordinator.onCommitGrace(txId, now));
        assertThat(committed(txId)).as("raising a canary's share needs every configured node").isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = Refusal.class, names = {"CANNOT_PERSIST", "SHUTTING_DOWN", "BEHIND"})
    void aNoForAReasonAboutTheVoterDoesNotVetoARollback(Refusal aboutVoter) {
        contact(membership, B, now);
        contact(membership, C, now);
        long txId = propose(0);
        vote(A, txId);
        voteNo(C, txId, aboutVoter);
        assertThat(committed(txId)).isFalse();
        vote(B, txId);
        assertThat(committed(txId)).as(aboutVoter + " is about node-c, not the change").isTrue();
        assertThat(outcome()).isInstanceOf(Outcome.Success.class);
        assertThat(membership.isStale(C)).isTrue();
    }

    @Test
    void aNoAboutTheProposalItselfVetoesEvenARollback() {
        contact(membership, B, now);
        contact(membership, C, now);
        long txId = propose(0);
        vote(A, txId);
        vote(B, txId);
        voteNo(C, txId, Refusal.CANNOT_SERVE);
        assertThat(committed(txId)).isFalse();
        assertThat(Fx.recipients(effects, Message.Abort.class)).containsExactly(A, B, C);
    }

    @Test
    void aPromotionNeedsEveryMemberAndFailsOnlyOnceAMajorityLoggedTheAbort() {
        contact(membership, B, now);
        long txId = propose(50);
        vote(A, txId);
        vote(B, txId);
        assertThat(committed(txId)).as("a majority is not enough to raise the canary").isFalse();

        timeout(txId);
        assertThat(committed(txId)).isFalse();
        assertThat(Fx.recipients(effects, Message.Abort.class)).containsExactly(A, B, C);
        assertThat(outcome()).as("no answer before a majority logged the abort").isNull();
        effects.addAll(coordinator.onAbortAck(A, new Message.AbortAck(TERM, txId), now));
        assertThat(outcome()).isNull();
        effects.addAll(coordinator.onAbortAck(B, new Message.AbortAck(TERM, txId), now));
        assertThat(outcome()).isInstanceOfSatisfying(Outcome.Failure.class, f -> {
            assertThat(f.outcomeUnknown()).isFalse();
            assertThat(f.reason()).contains("no vote from node-c").contains("every configured node").contains("unreachable");
        });
    }

    @Test
    void aPromotionIsVetoedByAnyNoEvenOneAboutTheVoter() {
        contact(membership, B, now);
        contact(membership, C, now);
        long txId = propose(50);
        vote(A, txId);
        vote(B, txId);
        voteNo(C, txId, Refusal.CANNOT_PERSIST);
        assertThat(committed(txId)).isFalse();
        assertThat(Fx.recipients(effects, Message.Abort.class)).containsExactly(A, B, C);
    }

    @Test
    void withoutAMajorityNothingCommitsAndTheCallerLearnsTheOutcomeIsUnknownWhileTheAbortIsNotOnAMajority() {
        long txId = propose(0); // nobody reachable
        vote(A, txId);
        timeout(txId);
        assertThat(committed(txId)).isFalse();
        effects.addAll(coordinator.onAbortAck(A, new Message.AbortAck(TERM, txId), now));
        now += CONFIG.prepareTimeout().toMillis();
        effects.addAll(coordinator.onAbortResend(txId, now));
        assertThat(outcome()).isInstanceOfSatisfying(Outcome.Failure.class, f -> {
            assertThat(f.outcomeUnknown()).as("a successor could still find the promise").isTrue();
            assertThat(f.reason()).contains("not yet logged by a majority");
        });
        assertThat(Fx.recipients(effects, Message.Abort.class)).as("the abort goes on").contains(B, C);
    }

    @Test
    void aReDrivenTransactionKeepsItsIdAndStateAndIsNeverAborted() {
        RoutingState promised = AT_25.next(io.canary.model.Weights.split("v1", "v2", 50), "v1",
                io.canary.model.RolloutInfo.NONE, 2L << 32 | 4, 200);
        effects.addAll(coordinator.redrive(promised.txId(), promised, now));
        assertThat(coordinator.isActive()).as("recovering until it commits").isFalse();
        assertThat(Fx.sent(effects, Message.Prepare.class)).allMatch(p -> p.txId() == promised.txId()
                && p.proposed().equals(promised) && p.term() == TERM);
        vote(A, promised.txId());
        for (int i = 0; i < 20; i++) {
            now += CONFIG.retryInterval().toMillis();
            effects.addAll(coordinator.onPrepareTimeout(promised.txId(), now));
        }
        assertThat(Fx.sent(effects, Message.Abort.class)).as("it may have committed: never aborted").isEmpty();
        vote(B, promised.txId());
        assertThat(committed(promised.txId())).as("a majority, though a promotion").isTrue();
        assertThat(coordinator.isActive()).isTrue();
    }

    @Test
    void aStaleMemberGetsTheStateOnEveryHeartbeatTickUntilItReportsTheVersion() {
        membership.markStale(C);
        List<Effect> tick = new ArrayList<>();
        CatchUp.onTick(A, membership, TERM, AT_25, tick);
        assertThat(Fx.recipients(tick, Message.StateSync.class)).containsExactly(C);

        List<Effect> behind = new ArrayList<>();
        CatchUp.onHeartbeat(B, AT_25.version() - 1, membership, TERM, AT_25, behind);
        assertThat(Fx.recipients(behind, Message.StateSync.class)).as("a member whose heartbeat shows it behind").containsExactly(B);

        List<Effect> current = new ArrayList<>();
        CatchUp.onHeartbeat(C, AT_25.version(), membership, TERM, AT_25, current);
        assertThat(current).isEmpty();
        assertThat(membership.isStale(C)).isFalse();
        tick.clear();
        CatchUp.onTick(A, membership, TERM, AT_25, tick);
        assertThat(Fx.sent(tick, Message.StateSync.class)).isEmpty();
    }
}
