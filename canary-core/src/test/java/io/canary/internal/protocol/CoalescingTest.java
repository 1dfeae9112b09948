package io.canary.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.NodeConfig;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.transport.Message;
import io.canary.transport.Message.Refusal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's coalescing and commit-path semantics on the coordinator itself: queued weight sets
 * merge into one transaction (order kept, the last one wins), each caller is told which committed
 * version carries its change or which later change superseded it, a batch that is refused fails
 * every caller in it, a rollback never waits behind a promotion, and the caller is answered before
 * the coordinator's own COMMITTED record is written (one fsync round on the critical path).
 */
class CoalescingTest {
    private static final List<String> MEMBERS = List.of("node-a", "node-b", "node-c");
    private static final NodeConfig CONFIG = NodeConfig.ofDefaults();
    private final RoutingState initial = RoutingState.initial("v1", "v2");
    private final Participant local = new Participant("node-a", Set.of(), CONFIG, initial, Optional.empty(), Optional.empty());
    private final Membership membership = new Membership("node-a", MEMBERS, CONFIG, 0);
    private final Coordinator coordinator = new Coordinator("node-a", CONFIG, 1, local, membership, new Replies(), () -> 5_000L);
    private final List<Effect> effects = new ArrayList<>();
    private long now = 1_000;

    private static Weights canary(double percent) {
        return Weights.split("v1", "v2", percent);
    }

    private void set(long callId, double percent) {
        effects.addAll(coordinator.propose(new WeightSet(canary(percent)), StateChange.Requester.OPERATOR,
                new Caller.Local(callId), "weights v2=" + percent + "%", now));
    }

    private List<Message.Prepare> prepares() {
        return Fx.sent(effects, Message.Prepare.class).stream().filter(p -> true).toList();
    }

    private Message.Prepare lastPrepare() {
        List<Message.Prepare> all = prepares();
        return all.get(all.size() - 1);
    }

    private void voteYes(long txId, String... from) {
        for (String member : from) {
            effects.addAll(coordinator.onVote(member, Message.Vote.yes(1, txId), now));
        }
    }

    private Outcome outcome(long callId) {
        return Fx.outcome(effects, callId);
    }

    @Test
    void queuedWeightSetsMergeIntoOneTransactionAndEachCallerLearnsWhatCarriesItsChange() {
        set(1, 10);
        long tx1 = lastPrepare().txId();
        set(2, 20);
        set(3, 30);
        set(4, 5);
        assertThat(prepares()).hasSize(MEMBERS.size()).as("one transaction at a time: the others queue");
        voteYes(tx1, "node-a", "node-b", "node-c");
        Message.Prepare batch = lastPrepare();
        assertThat(batch.txId()).isNotEqualTo(tx1);
        // The last one wins: exactly the state running 2, 3, 4 one by one would reach.
        assertThat(batch.proposed().weights()).isEqualTo(canary(5));
        assertThat(batch.proposed().version()).isEqualTo(3);
        assertThat(prepares()).as("three queued changes, one prepare round").hasSize(2 * MEMBERS.size());
        voteYes(batch.txId(), "node-a", "node-b", "node-c");

        assertThat(outcome(1)).isEqualTo(new Outcome.Success(stateOf(tx1)));
        for (long rider : List.of(2L, 3L)) {
            assertThat(outcome(rider)).as("caller %d", rider).isInstanceOfSatisfying(Outcome.Success.class, s -> {
                assertThat(s.superseded()).isTrue();
                assertThat(s.supersededBy()).contains("weights v2=5.0%");
                assertThat(s.state().version()).isEqualTo(3);
                assertThat(s.state().weights()).isEqualTo(canary(5));
            });
        }
        assertThat(outcome(4)).isInstanceOfSatisfying(Outcome.Success.class, s -> {
            assertThat(s.superseded()).as("the carrier's own change").isFalse();
            assertThat(s.state().version()).isEqualTo(3);
        });
        assertThat(local.committed().weights()).isEqualTo(canary(5));
    }

    @Test
    void aBatchThatGetsANoVoteFailsEveryCallerInIt() {
        set(1, 10);
        long tx1 = lastPrepare().txId();
        set(2, 20);
        set(3, 30);
        voteYes(tx1, "node-a", "node-b", "node-c");
        long batch = lastPrepare().txId();
        effects.addAll(coordinator.onVote("node-b", Message.Vote.no(1, batch, Refusal.CANNOT_SERVE,
                "node-b cannot serve v2"), now));
        assertThat(outcome(2)).as("not before a majority logged the abort").isNull();
        effects.addAll(coordinator.onAbortAck("node-a", new Message.AbortAck(1, batch), now));
        effects.addAll(coordinator.onAbortAck("node-b", new Message.AbortAck(1, batch), now));
        for (long caller : List.of(2L, 3L)) {
            assertThat(outcome(caller)).as("caller %d", caller).isInstanceOfSatisfying(Outcome.Failure.class, f -> {
                assertThat(f.outcomeUnknown()).isFalse();
                assertThat(f.reason()).contains("node-b voted NO: node-b cannot serve v2");
            });
        }
        assertThat(((Outcome.Failure) outcome(2)).reason()).contains("merged into one transaction with the later weights v2=30.0%");
        assertThat(local.committed().version()).isEqualTo(2);
    }

    @Test
    void weightSetsKeepTheirOrderAcrossOtherKindsOfChange() {
        set(1, 10);
        long tx1 = lastPrepare().txId();
        set(2, 20);
        effects.addAll(coordinator.propose(c -> c.next(c.weights(), c.baseline(), c.rollout(), 0, 0).next(canary(25), "v1",
                c.rollout(), 0, 0), StateChange.Requester.ROLLOUT, new Caller.Local(3), "a rollout step to 25%", now));
        set(4, 30);
        voteYes(tx1, "node-a", "node-b", "node-c");
        assertThat(lastPrepare().proposed().weights()).as("20% runs alone: the rollout step is not a weight set")
                .isEqualTo(canary(20));
        voteYes(lastPrepare().txId(), "node-a", "node-b", "node-c");
        assertThat(lastPrepare().proposed().weights()).isEqualTo(canary(25));
        voteYes(lastPrepare().txId(), "node-a", "node-b", "node-c");
        assertThat(lastPrepare().proposed().weights()).isEqualTo(canary(30));
        assertThat(((Outcome.Success) outcome(2)).superseded()).isFalse();
    }

    @Test
    void theCallerIsAnsweredBeforeTheCoordinatorWritesItsCommittedRecord() {
        set(1, 10);
        long tx1 = lastPrepare().txId();
        effects.clear();
        voteYes(tx1, "node-a", "node-b", "node-c");
        int answered = Fx.indexOf(effects, e -> e instanceof Effect.Complete c && c.callId() == 1);
        int decision = Fx.indexOf(effects, e -> e instanceof Effect.Append a && a.durable()
                && a.record() instanceof io.canary.log.LogRecord.Committed);
        int firstCommit = Fx.indexOf(effects, e -> e instanceof Effect.Send s && s.message() instanceof Message.Commit);
        int applied = Fx.indexOf(effects, e -> e instanceof Effect.Apply);
        assertThat(answered).isGreaterThanOrEqualTo(0);
        assertThat(decision).as("the decision record is still durable").isGreaterThan(answered);
        // Issue 13: Commit leaves at the decision (the state is chosen by the durable votes), so the
        // members' COMMITTED records can share an fsync with the next PREPARED; routing waits for the record.
        assertThat(firstCommit).as("members hear Commit at the decision, before the coordinator's record")
                .isBetween(answered, decision);
        assertThat(applied).as("the coordinator routes on it only once its record is durable").isGreaterThan(decision);
    }

    @Test
    void theNextTransactionIsPipelinedBehindTheDecisionNotBehindEveryAcknowledgement() {
        set(1, 10);
        long tx1 = lastPrepare().txId();
        set(2, 20);
        voteYes(tx1, "node-a", "node-b", "node-c");
        // No CommitAck yet from anyone: the next prepare is already out.
        assertThat(lastPrepare().txId()).isNotEqualTo(tx1);
        assertThat(lastPrepare().proposed().version()).isEqualTo(3);
        // Commit of version 2 goes out before the Prepare of version 3, on every link (FIFO).
        for (String member : List.of("node-b", "node-c")) {
            int commit = Fx.indexOf(effects, e -> e instanceof Effect.Send s && s.to().equals(member)
                    && s.message() instanceof Message.Commit c && c.txId() == tx1);
            int prepare = Fx.indexOf(effects, e -> e instanceof Effect.Send s && s.to().equals(member)
                    && s.message() instanceof Message.Prepare p && p.proposed().version() == 3);
            assertThat(commit).isLessThan(prepare);
        }
    }

    @Test
    void aRollbackMakesAPreparingPromotionYieldInsteadOfWaitingForIt() {
        long prepareStart = promotionStuckOnASilentMember(coordinator);
        assertThat(prepareStart).isPositive();
        // node-c never answers; a rollback arrives 10 ms later.
        now += 10;
        set(3, 0);
        List<Message.Abort> aborts = Fx.sent(effects, Message.Abort.class);
        assertThat(aborts).as("the promotion is aborted at once").isNotEmpty();
        assertThat(aborts.get(0).reason()).contains("yields to weights v2=0.0%");
        long promotionTx = aborts.get(0).txId();
        effects.addAll(coordinator.onAbortAck("node-a", new Message.AbortAck(1, promotionTx), now));
        effects.addAll(coordinator.onAbortAck("node-b", new Message.AbortAck(1, promotionTx), now));
        Message.Prepare rollback = lastPrepare();
        assertThat(rollback.proposed().weights()).isEqualTo(canary(0));
        voteYes(rollback.txId(), "node-a", "node-b"); // node-c is unreachable: a majority suffices for a rollback
        assertThat(outcome(3)).isInstanceOfSatisfying(Outcome.Success.class,
                s -> assertThat(s.state().weights()).isEqualTo(canary(0)));
        // The yielding weight set rode in the rollback's transaction: superseded by it, not failed.
        assertThat(outcome(2)).isInstanceOfSatisfying(Outcome.Success.class, s -> {
            assertThat(s.superseded()).isTrue();
            assertThat(s.state().weights()).isEqualTo(canary(0));
            assertThat(s.state().version()).isEqualTo(rollback.proposed().version());
        });
        assertThat(now - prepareStart).as("well inside the prepare timeout").isLessThan(CONFIG.prepareTimeout().toMillis());
    }

    @Test
    void withTheRulePlantedAwayTheRollbackWaitsTheWholePrepareTimeout() {
        coordinator.plant(EnumSet.of(PlantedBug.ROLLBACK_WAITS_FOR_PROMOTION));
        promotionStuckOnASilentMember(coordinator);
        now += 10;
        set(3, 0);
        assertThat(Fx.sent(effects, Message.Abort.class)).as("the planted bug: nobody yields").isEmpty();
        assertThat(lastPrepare().proposed().weights()).isEqualTo(canary(20));
    }

    @Test
    void queuedPromotionsAheadOfARollbackAreSupersededByIt() {
        set(1, 10);
        long tx1 = lastPrepare().txId();
        StateChange raise = c -> c.next(canary(50), "v1", c.rollout(), 0, 0);
        StateChange lower = c -> c.next(canary(0), "v1", c.rollout(), 0, 0);
        voteYes(tx1, "node-a", "node-b", "node-c");
        set(9, 15); // a promotion now preparing
        effects.addAll(coordinator.propose(raise, StateChange.Requester.ROLLOUT, new Caller.Local(2), "promote to 50%", now));
        effects.addAll(coordinator.propose(lower, StateChange.Requester.ROLLOUT, new Caller.Local(3), "roll back", now));
        assertThat(outcome(2)).isInstanceOfSatisfying(Outcome.Failure.class,
                f -> assertThat(f.reason()).contains("superseded by roll back"));
    }

    /** Commits 10% with every vote, then proposes 20% (a promotion) that node-c never votes on; returns when it started. */
    private long promotionStuckOnASilentMember(Coordinator c) {
        set(1, 10);
        long tx1 = lastPrepare().txId();
        voteYes(tx1, "node-a", "node-b", "node-c");
        long started = now;
        set(2, 20);
        long tx2 = lastPrepare().txId();
        voteYes(tx2, "node-a", "node-b");
        assertThat(outcome(2)).as("a promotion waits for node-c").isNull();
        return started;
    }

    private RoutingState stateOf(long txId) {
        return Fx.sent(effects, Message.Prepare.class).stream().filter(p -> p.txId() == txId).findFirst().orElseThrow()
                .proposed();
    }
}
