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
import io.canary.transport.Message.Prepare;
import io.canary.transport.Message.StateSync;
import io.canary.transport.Message.Vote;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParticipantTest {
    static final NodeConfig CONFIG = NodeConfig.ofDefaults();
    static final RoutingState V1 = RoutingState.initial("v1", "v2");
    static final long TX = (1L << 32) | 1;

    static RoutingState next(RoutingState s, double canaryPercent, long txId) {
        return s.next(Weights.split("v1", "v2", canaryPercent), "v1", RolloutInfo.NONE, txId, 0);
    }

    Participant participant(Set<String> servable) {
        return new Participant("node-b", "node-a", servable, CONFIG, V1, Optional.empty());
    }

    @Test
    void votesYesOnlyAfterThePreparedRecordIsDurable() {
        Participant p = participant(Set.of());
        List<Effect> out = p.onPrepare("node-a", new Prepare(TX, next(V1, 5, TX)), 0);

        int append = Fx.indexOf(out, e -> e instanceof Effect.Append a && a.durable() && a.record() instanceof LogRecord.Prepared);
        int vote = Fx.indexOf(out, e -> e instanceof Effect.Send s && s.message() instanceof Vote v && v.yes());
        assertThat(append).isNotNegative();
        assertThat(vote).isGreaterThan(append);
        assertThat(p.committed()).as("routing stays on the old state until Commit").isEqualTo(V1);
        assertThat(Fx.of(out, Effect.Apply.class)).isEmpty();
    }

    @Test
    void votesNoWhenTheProposedVersionIsNotTheNextOne() {
        Participant p = participant(Set.of());
        RoutingState skipping = next(next(V1, 5, 7), 25, TX);
        List<Effect> out = p.onPrepare("node-a", new Prepare(TX, skipping), 0);

        Vote vote = Fx.sent(out, Vote.class).get(0);
        assertThat(vote.yes()).isFalse();
        assertThat(vote.reason()).isEqualTo("node-b has committed version 1 and expects version 2, not 3");
        assertThat(Fx.of(out, Effect.Append.class)).isEmpty();
    }

    @Test
    void votesNoWhenItCannotServeAVersionWithTraffic() {
        Participant p = participant(Set.of("v1"));
        List<Effect> out = p.onPrepare("node-a", new Prepare(TX, next(V1, 5, TX)), 0);

        Vote vote = Fx.sent(out, Vote.class).get(0);
        assertThat(vote.yes()).isFalse();
        assertThat(vote.reason()).isEqualTo("node-b cannot serve v2 (it serves v1)");
    }

    @Test
    void aVersionNamedWithZeroShareNeedsNoServing() {
        Participant p = participant(Set.of("v1"));
        RoutingState allBaseline = V1.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, TX, 0);
        assertThat(Fx.sent(p.onPrepare("node-a", new Prepare(TX, allBaseline), 0), Vote.class).get(0).yes()).isTrue();
    }

    @Test
    void votesNoToAPrepareThatIsNotFromTheCoordinator() {
        Participant p = participant(Set.of());
        List<Effect> out = p.onPrepare("node-c", new Prepare(TX, next(V1, 5, TX)), 0);

        assertThat(Fx.sent(out, Vote.class).get(0).reason())
                .isEqualTo("node-b takes Prepare only from the coordinator node-a, not from node-c");
        assertThat(p.prepared()).isEmpty();
    }

    @Test
    void votesNoWhileShuttingDown() {
        Participant p = participant(Set.of());
        p.shutDown();
        List<Effect> out = p.onPrepare("node-a", new Prepare(TX, next(V1, 5, TX)), 0);
        assertThat(Fx.sent(out, Vote.class)).containsExactly(new Vote(TX, false, "node-b is shutting down"));
        assertThat(Fx.of(out, Effect.Append.class)).as("no promise is logged").isEmpty();
        assertThat(p.prepared()).isEmpty();
    }

    @Test
    void votesNoWhenPreparedForAnotherTransactionAndAsksForItsDecision() {
        Participant p = participant(Set.of());
        p.onPrepare("node-a", new Prepare(TX, next(V1, 5, TX)), 0);
        List<Effect> out = p.onPrepare("node-a", new Prepare(TX + 1, next(V1, 25, TX + 1)), 10);

        Vote vote = Fx.sent(out, Vote.class).get(0);
        assertThat(vote.yes()).isFalse();
        assertThat(vote.reason()).contains("already prepared for transaction " + TX);
        assertThat(Fx.sent(out, DecisionQuery.class)).containsExactly(new DecisionQuery(TX, 2));
    }

    @Test
    void aDuplicatePrepareGetsTheSameYesWithoutANewRecord() {
        Participant p = participant(Set.of());
        Prepare prepare = new Prepare(TX, next(V1, 5, TX));
        p.onPrepare("node-a", prepare, 0);
        List<Effect> again = p.onPrepare("node-a", prepare, 1);

        assertThat(Fx.sent(again, Vote.class)).containsExactly(new Vote(TX, true, ""));
        assertThat(Fx.of(again, Effect.Append.class)).isEmpty();
    }

    @Test
    void appliesACommitDurablyBeforeAcknowledgingIt() {
        Participant p = participant(Set.of());
        RoutingState proposed = next(V1, 5, TX);
        p.onPrepare("node-a", new Prepare(TX, proposed), 0);
        List<Effect> out = p.onCommit("node-a", new Commit(TX, proposed), 5);

        int append = Fx.indexOf(out, e -> e instanceof Effect.Append a && a.durable() && a.record() instanceof LogRecord.Committed);
        int apply = Fx.indexOf(out, e -> e instanceof Effect.Apply);
        int ack = Fx.indexOf(out, e -> e instanceof Effect.Send s && s.message() instanceof CommitAck);
        assertThat(append).isNotNegative().isLessThan(apply);
        assertThat(ack).isGreaterThan(apply);
        assertThat(p.committed()).isEqualTo(proposed);
        assertThat(p.prepared()).isEmpty();
    }

    @Test
    void aDuplicateCommitIsOnlyAcknowledged() {
        Participant p = participant(Set.of());
        RoutingState proposed = next(V1, 5, TX);
        p.onCommit("node-a", new Commit(TX, proposed), 5);
        List<Effect> again = p.onCommit("node-a", new Commit(TX, proposed), 6);

        assertThat(Fx.of(again, Effect.Append.class)).isEmpty();
        assertThat(Fx.sent(again, CommitAck.class)).containsExactly(new CommitAck(TX));
    }

    @Test
    void anAbortForgetsThePromiseWithAnInformationalRecord() {
        Participant p = participant(Set.of());
        p.onPrepare("node-a", new Prepare(TX, next(V1, 5, TX)), 0);
        List<Effect> out = p.onAbort("node-a", new Abort(TX, "node-c voted NO"), 3);

        assertThat(p.prepared()).isEmpty();
        assertThat(p.committed()).isEqualTo(V1);
        assertThat(Fx.of(out, Effect.Append.class)).singleElement()
                .satisfies(a -> assertThat(a.durable()).isFalse());
    }

    @Test
    void asksTheCoordinatorOnceInDoubtAndUntilItLearnsTheOutcome() {
        Participant p = participant(Set.of());
        p.onPrepare("node-a", new Prepare(TX, next(V1, 5, TX)), 0);
        long doubt = CONFIG.prepareTimeout().plus(CONFIG.retryInterval()).toMillis();

        assertThat(Fx.sent(p.onInDoubtCheck(doubt - 1), DecisionQuery.class)).isEmpty();
        assertThat(Fx.sent(p.onInDoubtCheck(doubt), DecisionQuery.class)).containsExactly(new DecisionQuery(TX, 2));
        assertThat(Fx.sent(p.onInDoubtCheck(doubt + 200), DecisionQuery.class)).hasSize(1);

        p.onStateSync("node-a", new StateSync(next(V1, 5, TX)), doubt + 300);
        List<Effect> after = p.onInDoubtCheck(doubt + 400);
        assertThat(after).as("no more questions, no more timers").isEmpty();
    }

    @Test
    void aPromiseFoundInTheLogIsInDoubtAndAskedAboutAtStart() {
        RoutingState proposed = next(V1, 5, TX);
        Participant p = new Participant("node-b", "node-a", Set.of(), CONFIG, V1,
                Optional.of(new LogRecord.Prepared(TX, proposed)));
        List<Effect> out = p.start(0);

        assertThat(p.prepared()).hasValueSatisfying(t -> assertThat(t.recovered()).isTrue());
        assertThat(Fx.sent(out, DecisionQuery.class)).containsExactly(new DecisionQuery(TX, 2));
        assertThat(Fx.of(out, Effect.Schedule.class)).extracting(Effect.Schedule::delay)
                .containsExactly(CONFIG.retryInterval());
        assertThat(p.committed()).isEqualTo(V1);
    }

    @Test
    void aStateSyncAheadIsLoggedAppliedAndSettlesCoveredPromises() {
        Participant p = participant(Set.of());
        p.onPrepare("node-a", new Prepare(TX, next(V1, 5, TX)), 0);
        RoutingState v3 = next(next(V1, 5, TX), 25, TX + 1);
        List<Effect> out = p.onStateSync("node-a", new StateSync(v3), 10);

        assertThat(Fx.of(out, Effect.Append.class)).singleElement()
                .satisfies(a -> assertThat(a.record()).isEqualTo(new LogRecord.Synced(v3)));
        assertThat(Fx.of(out, Effect.Apply.class)).extracting(Effect.Apply::state).containsExactly(v3);
        assertThat(p.prepared()).isEmpty();
    }

    @Test
    void anOlderStateSyncChangesNothing() {
        Participant p = participant(Set.of());
        RoutingState v2 = next(V1, 5, TX);
        p.onCommit("node-a", new Commit(TX, v2), 0);
        assertThat(p.onStateSync("node-a", new StateSync(V1), 1)).isEmpty();
        assertThat(p.committed()).isEqualTo(v2);
    }

    @Test
    void decisionsFromANodeOtherThanTheCoordinatorAreIgnored() {
        Participant p = participant(Set.of());
        List<Effect> out = p.onCommit("node-c", new Commit(TX, next(V1, 5, TX)), 0);
        assertThat(p.committed()).isEqualTo(V1);
        assertThat(Fx.of(out, Effect.Send.class)).isEmpty();
    }
}
