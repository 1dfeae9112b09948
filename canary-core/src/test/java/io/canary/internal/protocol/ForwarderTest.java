package io.canary.internal.protocol;

import static io.canary.internal.protocol.Fixture.AT_25;
import static io.canary.internal.protocol.Fixture.CONFIG;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.model.Weights;
import io.canary.rollout.RolloutAction;
import io.canary.transport.Message;
import io.canary.transport.Message.ForwardResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Forwarding a caller's command from node-c to whoever coordinates, and the coordinator's typed
 * answer: COMMITTED, SUPERSEDED (a later change coalesced with it committed), FAILED (it did not commit) or UNKNOWN (it may still commit), never a text
 * prefix. A resend never runs a command twice.
 */
class ForwarderTest {
    private static final long CALL = 42;
    private final AtomicReference<String> coordinator = new AtomicReference<>(Fixture.A);
    private final java.util.concurrent.atomic.AtomicLong term = new java.util.concurrent.atomic.AtomicLong(1);
    private final AtomicReference<java.util.Set<PlantedBug>> planted = new AtomicReference<>(java.util.Set.of());
    private final Forwarder forwarder = new Forwarder(coordinator::get, term::get, planted::get, CONFIG, 1_000);

    private long forward(Message.Command command, List<Effect> out) {
        out.addAll(forwarder.forward(CALL, command));
        return Fx.sent(out, Message.ForwardRequest.class).get(0).requestId();
    }

    @Test
    void aCommandGoesToTheCoordinatorWithATimeoutAndAResend() {
        List<Effect> out = new ArrayList<>();
        long id = forward(new Message.ProposeWeights(Weights.split("v1", "v2", 0)), out);
        assertThat(id).isEqualTo(1_000);
        assertThat(Fx.recipients(out, Message.ForwardRequest.class)).containsExactly(Fixture.A);
        assertThat(Fx.of(out, Effect.Schedule.class)).extracting(Effect.Schedule::timer)
                .containsExactly(new Timer.RequestTimeout(id), new Timer.RequestResend(id));
    }

    @Test
    void eachTypedOutcomeReachesTheCallerAsSuch() {
        for (ForwardResponse.Outcome outcome : ForwardResponse.Outcome.values()) {
            List<Effect> out = new ArrayList<>();
            long id = forward(new Message.ProposeWeights(Weights.split("v1", "v2", 0)), out);
            List<Effect> done = forwarder.onResponse(Fixture.A, new ForwardResponse(id, outcome, AT_25, "why"));
            Outcome got = Fx.outcome(done, CALL);
            switch (outcome) {
                case COMMITTED -> assertThat(got).isEqualTo(Outcome.success(AT_25));
                case SUPERSEDED -> assertThat(got).isEqualTo(Outcome.superseded(AT_25, "why"));
                case FAILED -> assertThat(got).isEqualTo(new Outcome.Failure("why", false));
                case UNKNOWN -> assertThat(got).isEqualTo(new Outcome.Failure("why", true));
                default -> throw new AssertionError(outcome);
            }
            assertThat(forwarder.onResponse(Fixture.A, new ForwardResponse(id, outcome, AT_25, "again")))
                    .as("answered once").isEmpty();
        }
    }

    @Test
    void theCoordinatorAnswersARepeatFromMemoryAndPutsTheOutcomeInATypedField() {
        Replies replies = new Replies();
        List<Effect> first = new ArrayList<>();
        assertThat(replies.admit(Fixture.C, 9, first)).isEqualTo(Replies.Admission.NEW);
        assertThat(replies.admit(Fixture.C, 9, first)).isEqualTo(Replies.Admission.IN_FLIGHT);
        List<Effect> answer = replies.reply(new Caller.Remote(Fixture.C, 9), Outcome.unknown("may commit"), AT_25);
        assertThat(Fx.sent(answer, ForwardResponse.class))
                .containsExactly(new ForwardResponse(9, ForwardResponse.Outcome.UNKNOWN, AT_25, "may commit"));
        List<Effect> repeat = new ArrayList<>();
        assertThat(replies.admit(Fixture.C, 9, repeat)).isEqualTo(Replies.Admission.ANSWERED);
        assertThat(Fx.sent(repeat, ForwardResponse.class)).extracting(ForwardResponse::outcome)
                .containsExactly(ForwardResponse.Outcome.UNKNOWN);
        assertThat(Fx.sent(replies.reply(new Caller.Remote(Fixture.C, 10), Outcome.failure("no"), AT_25), ForwardResponse.class))
                .extracting(ForwardResponse::outcome).containsExactly(ForwardResponse.Outcome.FAILED);
        assertThat(Fx.sent(replies.reply(new Caller.Remote(Fixture.C, 11), Outcome.success(AT_25), AT_25), ForwardResponse.class))
                .extracting(ForwardResponse::outcome).containsExactly(ForwardResponse.Outcome.COMMITTED);
    }

    @Test
    void aWeightChangeFollowsANewCoordinatorButAnyOtherCommandEndsUnknown() {
        List<Effect> out = new ArrayList<>();
        long weights = forward(new Message.ProposeWeights(Weights.split("v1", "v2", 0)), out);
        List<Effect> other = new ArrayList<>();
        other.addAll(forwarder.forward(CALL + 1, new Message.ControlRollout(RolloutAction.PROMOTE)));
        long promote = Fx.sent(other, Message.ForwardRequest.class).get(0).requestId();

        coordinator.set(Fixture.B); // an election moved the role
        List<Effect> resent = forwarder.onResend(weights);
        assertThat(Fx.recipients(resent, Message.ForwardRequest.class)).as("absolute: safe to run twice").containsExactly(Fixture.B);
        List<Effect> ended = forwarder.onResend(promote);
        assertThat(Fx.sent(ended, Message.ForwardRequest.class)).isEmpty();
        assertThat(Fx.outcome(ended, CALL + 1)).isInstanceOfSatisfying(Outcome.Failure.class, f -> {
            assertThat(f.outcomeUnknown()).isTrue();
            assertThat(f.reason()).contains("changed from node-a (term 1) to node-b (term 1)");
        });
    }

    @Test
    void noAnswerInTimeIsAnUnknownOutcomeAndWithoutACoordinatorTheFirstResendCarriesIt() {
        coordinator.set("");
        List<Effect> out = forwarder.forward(CALL, new Message.ProposeWeights(Weights.split("v1", "v2", 0)));
        assertThat(Fx.sent(out, Message.ForwardRequest.class)).as("an election is under way").isEmpty();
        coordinator.set(Fixture.B);
        assertThat(Fx.recipients(forwarder.onResend(1_000), Message.ForwardRequest.class)).containsExactly(Fixture.B);
        Outcome timedOut = Fx.outcome(forwarder.onTimeout(1_000), CALL);
        assertThat(timedOut).isInstanceOfSatisfying(Outcome.Failure.class, f -> {
            assertThat(f.outcomeUnknown()).isTrue();
            assertThat(f.reason()).isEqualTo("the coordinator node-b did not answer within 10s");
        });
    }

    @Test
    void aCommandNotSafeToRunTwiceEndsUnknownWhenTheSameCoordinatorComesBackInANewerTerm() {
        List<Effect> out = new ArrayList<>();
        long weights = forward(new Message.ProposeWeights(Weights.split("v1", "v2", 0)), out);
        List<Effect> other = new ArrayList<>(forwarder.forward(CALL + 1, new Message.ControlRollout(RolloutAction.PROMOTE)));
        Message.ForwardRequest first = Fx.sent(other, Message.ForwardRequest.class).get(0);
        assertThat(first.term()).as("the term it is first sent in travels with it").isEqualTo(1);

        term.set(4); // node-a restarted (its disk perhaps lost) and was elected again
        assertThat(Fx.recipients(forwarder.onResend(weights), Message.ForwardRequest.class)).containsExactly(Fixture.A);
        List<Effect> ended = forwarder.onResend(first.requestId());
        assertThat(Fx.sent(ended, Message.ForwardRequest.class)).as("never resent to the new term").isEmpty();
        assertThat(Fx.outcome(ended, CALL + 1)).isInstanceOfSatisfying(Outcome.Failure.class, f -> {
            assertThat(f.outcomeUnknown()).isTrue();
            assertThat(f.reason()).contains("from node-a (term 1) to node-a (term 4)");
        });
    }

    @Test
    void withTheRulePlantedAwayTheForwarderResendsToTheSameNodeInANewerTerm() {
        planted.set(java.util.EnumSet.of(PlantedBug.FORWARD_RUNS_IN_ANY_TERM));
        List<Effect> out = new ArrayList<>(forwarder.forward(CALL, new Message.ControlRollout(RolloutAction.PROMOTE)));
        long id = Fx.sent(out, Message.ForwardRequest.class).get(0).requestId();
        term.set(4);
        assertThat(Fx.sent(forwarder.onResend(id), Message.ForwardRequest.class)).extracting(Message.ForwardRequest::term)
                .containsExactly(1L);
    }

    /** node-a coordinating term 5, as the coordinator side of a forwarded request sees it. */
    private final Replies replies = new Replies();
    private final Commands commands = new Commands(Fixture.A, replies, new AcceptedRequests(List.of()), () -> 5_000L, () -> 5,
            planted::get);
    private final Coordinator termFive = new Coordinator(Fixture.A, CONFIG, 5, Fixture.participant(Fixture.A, Fixture.V1),
            new Membership(Fixture.A, Fixture.MEMBERS, CONFIG, 0), replies, () -> 5_000L);

    private List<Effect> arrive(long requestId, long sentInTerm, Message.Command command, java.util.Set<PlantedBug> bugs) {
        planted.set(bugs);
        return commands.onForwardRequest(Fixture.C, new Message.ForwardRequest(requestId, sentInTerm, command), termFive,
                Fixture.V1, 1_000);
    }

    @Test
    void theCoordinatorRunsACommandNotSafeToRunTwiceOnlyInTheTermItWasFirstSentIn() {
        Message.Command promote = new Message.ControlRollout(RolloutAction.PROMOTE);
        List<Effect> older = arrive(7, 1, promote, java.util.Set.of());
        assertThat(Fx.of(older, Effect.Delegate.class)).as("not run: term 1's coordinator may have run it").isEmpty();
        assertThat(Fx.of(older, Effect.Append.class)).isEmpty();
        assertThat(Fx.sent(older, ForwardResponse.class)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(ForwardResponse.Outcome.UNKNOWN);
            assertThat(r.error()).contains("first sent to the coordinator of term 1").contains("node-a coordinates term 5");
        });
        assertThat(Fx.sent(arrive(7, 1, promote, java.util.Set.of()), ForwardResponse.class)).as("a resend: the same answer")
                .extracting(ForwardResponse::outcome).containsExactly(ForwardResponse.Outcome.UNKNOWN);

        assertThat(Fx.of(arrive(8, 5, promote, java.util.Set.of()), Effect.Delegate.class)).as("sent in this term: runs").hasSize(1);
        List<Effect> weights = arrive(9, 1, new Message.ProposeWeights(Weights.split("v1", "v2", 0)), java.util.Set.of());
        assertThat(Fx.sent(weights, ForwardResponse.class)).as("absolute: runs in any term").noneMatch(
                r -> r.outcome() == ForwardResponse.Outcome.UNKNOWN);
        assertThat(Fx.of(arrive(10, 1, promote, java.util.EnumSet.of(PlantedBug.FORWARD_RUNS_IN_ANY_TERM)), Effect.Delegate.class))
                .as("the planted bug runs it again").hasSize(1);
    }
}
