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
    private final Forwarder forwarder = new Forwarder(coordinator::get, CONFIG, 1_000);

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
            assertThat(f.reason()).contains("changed from node-a to node-b");
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
}
