package io.canary.internal.protocol;

import static io.canary.internal.protocol.Fixture.A;
import static io.canary.internal.protocol.Fixture.AT_25;
import static io.canary.internal.protocol.Fixture.CONFIG;
import static io.canary.internal.protocol.Fixture.V1;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.transport.Message;
import io.canary.transport.Message.Refusal;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The participant side of two-phase commit on node-b, on the effects it emits: a YES only after
 * its promise is durable, commits and aborts durable before they are acknowledged, typed refusals,
 * and routing only on committed states.
 */
class ParticipantTest {
    private static final String B = Fixture.B;
    private static final long TERM = 1;
    private static final long TX = TERM << 32 | 2;
    private static final RoutingState AT_50 = AT_25.next(Weights.split("v1", "v2", 50), "v1", RolloutInfo.NONE, TX, 200);

    private final Participant participant = Fixture.participant(B, AT_25);

    private static Message.Prepare prepare(long txId, RoutingState proposed) {
        return new Message.Prepare(TERM, txId, proposed);
    }

    private static Message.Vote vote(List<Effect> effects) {
        List<Message.Vote> votes = Fx.sent(effects, Message.Vote.class);
        assertThat(votes).hasSize(1);
        return votes.get(0);
    }

    @Test
    void aYesIsSentOnlyAfterThePromiseIsDurableAndRoutingStaysOnTheCommittedState() {
        List<Effect> out = participant.onPrepare(A, TERM, prepare(TX, AT_50), 0);
        assertThat(vote(out).yes()).isTrue();
        int promise = Fx.indexOf(out, e -> e instanceof Effect.Append a && a.durable()
                && a.record().equals(new LogRecord.Prepared(TERM, TX, AT_50)));
        int yes = Fx.indexOf(out, e -> e instanceof Effect.Send s && s.message() instanceof Message.Vote);
        assertThat(promise).isNotNegative().isLessThan(yes);
        assertThat(Fx.of(out, Effect.Apply.class)).as("a promise changes no routing").isEmpty();
        assertThat(participant.committed()).isEqualTo(AT_25);
        assertThat(participant.prepared()).hasValueSatisfying(p -> assertThat(p.txId()).isEqualTo(TX));
        assertThat(participant.preparedReport()).hasValue(new Message.PreparedReport(TERM, TX, AT_50));
        assertThat(participant.lastVersion()).isEqualTo(3);
    }

    @Test
    void aCommitIsDurableAndAppliedBeforeItIsAcknowledged() {
        participant.onPrepare(A, TERM, prepare(TX, AT_50), 0);
        List<Effect> out = participant.onCommit(A, TERM, new Message.Commit(TERM, TX, AT_50), 10);
        int logged = Fx.indexOf(out, e -> e instanceof Effect.Append a && a.durable() && a.record() instanceof LogRecord.Committed);
        int applied = Fx.indexOf(out, e -> e instanceof Effect.Apply a && a.state().equals(AT_50));
        int acked = Fx.indexOf(out, e -> e instanceof Effect.Send s && s.message() instanceof Message.CommitAck);
        assertThat(logged).isNotNegative().isLessThan(applied);
        assertThat(applied).isLessThan(acked);
        assertThat(participant.committed()).isEqualTo(AT_50);
        assertThat(participant.prepared()).isEmpty();

        List<Effect> again = participant.onCommit(A, TERM, new Message.Commit(TERM, TX, AT_50), 20);
        assertThat(Fx.of(again, Effect.Append.class)).as("a duplicate commit is only acknowledged").isEmpty();
        assertThat(Fx.sent(again, Message.CommitAck.class)).hasSize(1);
    }

    @Test
    void anAbortIsDurableBeforeItIsAcknowledgedAndALateCopyOfThePrepareIsRefused() {
        participant.onPrepare(A, TERM, prepare(TX, AT_50), 0);
        List<Effect> out = participant.onAbort(A, TERM, new Message.Abort(TERM, TX, 3, "node-c voted NO"), 10);
        int logged = Fx.indexOf(out, e -> e instanceof Effect.Append a && a.durable() && a.record() instanceof LogRecord.Aborted);
        int acked = Fx.indexOf(out, e -> e instanceof Effect.Send s && s.message() instanceof Message.AbortAck);
        assertThat(logged).isNotNegative().isLessThan(acked);
        assertThat(participant.prepared()).isEmpty();
        assertThat(participant.abortedTxId()).isEqualTo(TX);

        Message.Vote late = vote(participant.onPrepare(A, TERM, prepare(TX, AT_50), 20));
        assertThat(late.yes()).isFalse();
        assertThat(late.refusal()).isEqualTo(Refusal.ABORTED);
    }

    @Test
    void refusalsAreTypedAndSayWhetherTheyAreAboutTheVoter() {
        RoutingState skipping = AT_50.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, TX + 1, 300);
        Message.Vote behind = vote(participant.onPrepare(A, TERM, prepare(TX + 1, skipping), 0));
        assertThat(behind.refusal()).isEqualTo(Refusal.BEHIND);
        assertThat(behind.refusal().aboutVoter()).isTrue();

        RoutingState old = V1.next(Weights.split("v1", "v2", 10), "v1", RolloutInfo.NONE, TX + 2, 300);
        Message.Vote ahead = vote(participant.onPrepare(A, TERM, prepare(TX + 2, old), 0));
        assertThat(ahead.refusal()).isEqualTo(Refusal.AHEAD);
        assertThat(ahead.refusal().aboutVoter()).isFalse();
        assertThat(ahead.reason()).contains("expects version 3, not 2");

        Participant onlyV1 = new Participant(B, Set.of("v1"), CONFIG, AT_25, Optional.empty(), Optional.empty());
        Message.Vote cannotServe = vote(onlyV1.onPrepare(A, TERM, prepare(TX, AT_50), 0));
        assertThat(cannotServe.refusal()).isEqualTo(Refusal.CANNOT_SERVE);
        assertThat(cannotServe.reason()).contains("cannot serve v2");

        participant.shutDown();
        Message.Vote closing = vote(participant.onPrepare(A, TERM, prepare(TX, AT_50), 0));
        assertThat(closing.refusal()).isEqualTo(Refusal.SHUTTING_DOWN);
        assertThat(closing.refusal().aboutVoter()).isTrue();
        assertThat(participant.prepared()).isEmpty();
    }

    @Test
    void aPromiseThatCouldNotBeWrittenBecomesANoAboutTheVoter() {
        participant.onPrepare(A, TERM, prepare(TX, AT_50), 0);
        List<Effect> out = participant.onPromiseNotDurable(TX, "disk full", A, TERM);
        Message.Vote no = vote(out);
        assertThat(no.refusal()).isEqualTo(Refusal.CANNOT_PERSIST);
        assertThat(no.reason()).isEqualTo("node-b cannot write its state log: disk full");
        assertThat(Fx.recipients(out, Message.Vote.class)).containsExactly(A);
        assertThat(participant.prepared()).isEmpty();
    }

    @Test
    void aPrepareOfTheCurrentCoordinatorReplacesAnEarlierPromiseForTheSameVersion() {
        participant.onPrepare(A, TERM, prepare(TX, AT_50), 0);
        RoutingState other = AT_25.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, 2L << 32 | 1, 400);
        List<Effect> out = participant.onPrepare(Fixture.C, 2, new Message.Prepare(2, other.txId(), other), 10);
        assertThat(vote(out).yes()).isTrue();
        assertThat(participant.prepared()).hasValueSatisfying(p -> assertThat(p.proposed()).isEqualTo(other));
        assertThat(participant.lastTerm()).isEqualTo(2);
    }

    @Test
    void aRestartedParticipantInDoubtAsksTheCoordinatorUntilResolved() {
        Participant restarted = new Participant(B, Set.of(), CONFIG, AT_25,
                Optional.of(new LogRecord.Prepared(TERM, TX, AT_50)), Optional.empty());
        List<Effect> start = restarted.start(0);
        assertThat(Fx.of(start, Effect.Schedule.class)).anyMatch(s -> s.timer() instanceof Timer.InDoubtCheck);
        List<Effect> check = restarted.onInDoubtCheck(A, 4, 200);
        assertThat(Fx.sent(check, Message.DecisionQuery.class)).containsExactly(new Message.DecisionQuery(4, TX, 3));

        restarted.onStateSync(A, new Message.StateSync(4, AT_50), 300);
        assertThat(restarted.prepared()).isEmpty();
        assertThat(restarted.committed()).isEqualTo(AT_50);
        assertThat(Fx.sent(restarted.onInDoubtCheck(A, 4, 400), Message.DecisionQuery.class)).isEmpty();
    }
}
