package io.canary.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.NodeConfig;
import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.transport.Message.Abort;
import io.canary.transport.Message.Commit;
import io.canary.transport.Message.CommitAck;
import io.canary.transport.Message.DecisionQuery;
import io.canary.transport.Message.Heartbeat;
import io.canary.transport.Message.Prepare;
import io.canary.transport.Message.StateSync;
import io.canary.transport.Message.Vote;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CoordinatorTest {
    static final NodeConfig CONFIG = NodeConfig.ofDefaults();
    static final List<String> MEMBERS = List.of("node-a", "node-b", "node-c");
    static final RoutingState V1 = RoutingState.initial("v1", "v2");
    static final long EPOCH = 3;

    Participant local;
    Membership membership;
    Coordinator coordinator;
    long now = 1_000;
    long callIds;

    @BeforeEach
    void setUp() {
        local = new Participant("node-a", "node-a", Set.of(), CONFIG, V1, Optional.empty());
        membership = new Membership("node-a", MEMBERS, "node-a", CONFIG);
        coordinator = new Coordinator("node-a", CONFIG, EPOCH, local, membership, new Replies());
        membership.heard("node-b", now);
        membership.heard("node-c", now);
    }

    List<Effect> propose(double canaryPercent) {
        return coordinator.propose(c -> c.next(Weights.split("v1", "v2", canaryPercent), "v1", RolloutInfo.NONE, 0, 0),
                StateChange.Requester.OPERATOR, new Caller.Local(++callIds), "weights " + canaryPercent + "%", now);
    }

    /** Lets the coordinator's own participant vote on a Prepare it sent itself. */
    List<Effect> localVote(List<Effect> out) {
        Prepare prepare = Fx.sent(out.stream().filter(e -> e instanceof Effect.Send s && s.to().equals("node-a")).toList(),
                Prepare.class).get(0);
        Vote vote = Fx.sent(local.onPrepare("node-a", prepare, now), Vote.class).get(0);
        return coordinator.onVote("node-a", vote, now);
    }

    @Test
    void transactionIdsCarryTheEpochSoARestartNeverReusesOne() {
        List<Effect> out = propose(5);
        Prepare prepare = Fx.sent(out, Prepare.class).get(0);
        assertThat(prepare.txId() >>> 32).isEqualTo(EPOCH);
        assertThat(prepare.txId() & 0xffffffffL).isEqualTo(1);
        assertThat(prepare.proposed().version()).isEqualTo(2);
    }

    @Test
    void aPromotionAsksEveryConfiguredMemberEvenUnreachableOnes() {
        now += CONFIG.peerTimeout().toMillis() + 1;
        membership.heard("node-b", now);
        List<Effect> out = propose(5);
        assertThat(Fx.recipients(out, Prepare.class)).containsExactly("node-a", "node-b", "node-c");
    }

    @Test
    void aRollbackAsksOnlyReachableMembersAndMarksTheOthersStale() {
        RoutingState at25 = V1.next(Weights.split("v1", "v2", 25), "v1", RolloutInfo.NONE, 9, 0);
        local.onCommit("node-a", new Commit(9, at25), now);
        now += CONFIG.peerTimeout().toMillis() + 1;
        membership.heard("node-b", now);
        List<Effect> out = propose(0);

        assertThat(Fx.recipients(out, Prepare.class)).containsExactly("node-a", "node-b");
        assertThat(membership.isStale("node-c")).isTrue();
    }

    @Test
    void allYesCommitsDurablyThenAppliesThenSendsCommitThenAnswers() {
        List<Effect> out = propose(5);
        long tx = Fx.sent(out, Prepare.class).get(0).txId();
        localVote(out);
        coordinator.onVote("node-b", new Vote(tx, true, ""), now);
        List<Effect> decided = coordinator.onVote("node-c", new Vote(tx, true, ""), now);

        int append = Fx.indexOf(decided, e -> e instanceof Effect.Append a && a.durable() && a.record() instanceof LogRecord.Committed);
        int apply = Fx.indexOf(decided, e -> e instanceof Effect.Apply);
        int send = Fx.indexOf(decided, e -> e instanceof Effect.Send s && s.message() instanceof Commit);
        int complete = Fx.indexOf(decided, e -> e instanceof Effect.Complete);
        assertThat(append).isNotNegative().isLessThan(apply);
        assertThat(send).isGreaterThan(apply);
        assertThat(complete).isGreaterThan(append);
        assertThat(Fx.recipients(decided, Commit.class)).containsExactly("node-b", "node-c");
        assertThat(Fx.outcome(decided, 1)).isInstanceOfSatisfying(Outcome.Success.class,
                s -> assertThat(s.state().weights()).isEqualTo(Weights.split("v1", "v2", 5)));
        assertThat(local.committed().version()).isEqualTo(2);
    }

    @Test
    void aNoVoteAbortsEverywhereAndTellsTheCallerWhoAndWhy() {
        List<Effect> out = propose(5);
        long tx = Fx.sent(out, Prepare.class).get(0).txId();
        List<Effect> aborted = coordinator.onVote("node-c", new Vote(tx, false, "node-c cannot serve v2 (it serves v1)"), now);

        assertThat(Fx.recipients(aborted, Abort.class)).containsExactly("node-a", "node-b", "node-c");
        assertThat(((Outcome.Failure) Fx.outcome(aborted, 1)).reason())
                .isEqualTo("transaction " + tx + " (version 2, weights 5.0%) aborted: node-c voted NO: node-c cannot serve v2 (it serves v1)");
        assertThat(Fx.of(aborted, Effect.Append.class)).as("nothing durable on abort").isEmpty();
        assertThat(local.committed()).isEqualTo(V1);
    }

    @Test
    void aMissingVoteAbortsAtThePrepareTimeoutNamingTheSilentNode() {
        now += CONFIG.peerTimeout().toMillis() + 1;
        membership.heard("node-b", now);
        List<Effect> out = propose(5);
        long tx = Fx.sent(out, Prepare.class).get(0).txId();
        localVote(out);
        coordinator.onVote("node-b", new Vote(tx, true, ""), now);
        List<Effect> aborted = coordinator.onPrepareTimeout(tx, now + 2000);

        assertThat(((Outcome.Failure) Fx.outcome(aborted, 1)).reason()).endsWith(
                "aborted: no vote from node-c within 2s (prepare timeout); raising a canary's share needs a YES"
                        + " from every configured node, and node-c is unreachable");
        assertThat(Fx.sent(aborted, Abort.class)).hasSize(3);
    }

    @Test
    void proposalsRunOneAtATimeEachFromTheStateCommittedBeforeIt() {
        List<Effect> first = propose(5);
        List<Effect> second = propose(25);
        assertThat(Fx.sent(second, Prepare.class)).as("queued behind the first").isEmpty();
        long tx = Fx.sent(first, Prepare.class).get(0).txId();
        localVote(first);
        coordinator.onVote("node-b", new Vote(tx, true, ""), now);
        List<Effect> committed = coordinator.onVote("node-c", new Vote(tx, true, ""), now);
        assertThat(Fx.sent(committed, Prepare.class)).as("waits for the commit acknowledgements").isEmpty();

        coordinator.onCommitAck("node-b", new CommitAck(tx), now);
        List<Effect> started = coordinator.onCommitAck("node-c", new CommitAck(tx), now);
        Prepare next = Fx.sent(started, Prepare.class).get(0);
        assertThat(next.proposed().version()).isEqualTo(3);
        assertThat(next.txId()).isEqualTo(tx + 1);
    }

    @Test
    void commitIsResentUntilAcknowledgedButNotToUnreachableMembers() {
        List<Effect> out = propose(5);
        long tx = Fx.sent(out, Prepare.class).get(0).txId();
        localVote(out);
        coordinator.onVote("node-b", new Vote(tx, true, ""), now);
        coordinator.onVote("node-c", new Vote(tx, true, ""), now);
        coordinator.onCommitAck("node-b", new CommitAck(tx), now);

        assertThat(Fx.recipients(coordinator.onCommitResend(tx, now + 200), Commit.class)).containsExactly("node-c");
        membership.heard("node-b", now + 2500);
        List<Effect> later = coordinator.onCommitResend(tx, now + 2500);
        assertThat(Fx.sent(later, Commit.class)).isEmpty();
        assertThat(membership.isStale("node-c")).isTrue();
        assertThat(coordinator.isBusy()).isFalse();
    }

    @Test
    void answersDecisionQueriesUnderPresumedAbort() {
        List<Effect> out = propose(5);
        long tx = Fx.sent(out, Prepare.class).get(0).txId();
        assertThat(coordinator.onDecisionQuery("node-b", new DecisionQuery(tx, 2), now)).as("undecided: no answer").isEmpty();
        assertThat(Fx.sent(coordinator.onDecisionQuery("node-b", new DecisionQuery(tx - 1, 2), now), Abort.class))
                .as("an older transaction with no commit record").hasSize(1);

        localVote(out);
        coordinator.onVote("node-b", new Vote(tx, true, ""), now);
        coordinator.onVote("node-c", new Vote(tx, true, ""), now);
        List<Effect> answer = coordinator.onDecisionQuery("node-b", new DecisionQuery(tx, 2), now);
        assertThat(Fx.sent(answer, StateSync.class)).extracting(s -> s.state().version()).containsExactly(2L);
    }

    @Test
    void aManualWeightChangeIsRefusedWhileARolloutRuns() {
        RolloutInfo running = new RolloutInfo("r1", "v2", List.of(5, 25, 50, 100), 1, RolloutInfo.Phase.PROGRESSING, "");
        local.onCommit("node-a", new Commit(9, V1.next(Weights.split("v1", "v2", 25), "v1", running, 9, 0)), now);
        List<Effect> out = coordinator.propose(ProtocolNode.manualWeights(Weights.split("v1", "v2", 50)),
                StateChange.Requester.OPERATOR, new Caller.Local(7), "weights", now);

        assertThat(((Outcome.Failure) Fx.outcome(out, 7)).reason())
                .isEqualTo("cannot set weights by hand while rollout r1 of v2 is progressing at 25%; abort it first");
        assertThat(Fx.sent(out, Prepare.class)).isEmpty();
    }

    @Test
    void aChangeToTheCurrentWeightsCompletesWithoutATransaction() {
        List<Effect> out = propose(0);
        assertThat(Fx.sent(out, Prepare.class)).isEmpty();
        assertThat(Fx.outcome(out, 1)).isEqualTo(Outcome.success(V1));
    }

    @Test
    void aQueuedProposalThatCannotStartInTimeFails() {
        propose(5);
        List<Effect> queued = propose(25);
        long id = Fx.of(queued, Effect.Schedule.class).stream().map(Effect.Schedule::timer)
                .filter(t -> t instanceof Timer.ProposalDeadline).map(t -> ((Timer.ProposalDeadline) t).proposalId())
                .findFirst().orElseThrow();
        List<Effect> out = coordinator.onProposalDeadline(id, now + 10_000);
        assertThat(((Outcome.Failure) Fx.outcome(out, 2)).reason()).contains("could not start weights 25.0% within 10s");
        assertThat(coordinator.queued()).isZero();
    }

    @Test
    void aHeartbeatFromABehindMemberGetsTheCommittedState() {
        List<Effect> out = membership.onHeartbeat("node-b", new Heartbeat(0, true), V1, now);
        assertThat(Fx.sent(out, StateSync.class)).containsExactly(new StateSync(V1));
        assertThat(membership.onHeartbeat("node-b", new Heartbeat(1, true), V1, now)).isEmpty();
        assertThat(new ArrayList<>(membership.view(1, now))).extracting(p -> p.reachable()).containsOnly(true);
    }

    @Test
    void aChangeThatThrowsFailsItsCallerAndTheNextProposalStillRuns() {
        List<Effect> out = coordinator.propose(c -> { throw new NullPointerException(); },
                StateChange.Requester.ROLLOUT, new Caller.Local(9), "broken step", now);
        assertThat(((Outcome.Failure) Fx.outcome(out, 9)).reason()).startsWith("broken step could not be computed");
        assertThat(Fx.sent(propose(5), Prepare.class)).hasSize(3);
    }
}
