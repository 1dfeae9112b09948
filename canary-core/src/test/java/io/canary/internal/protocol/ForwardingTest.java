package io.canary.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.NodeConfig;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.transport.Message.ForwardRequest;
import io.canary.transport.Message.ForwardResponse;
import io.canary.transport.Message.ProposeWeights;
import io.canary.transport.Message.Prepare;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ForwardingTest {
    static final NodeConfig CONFIG = NodeConfig.ofDefaults();
    static final RoutingState V1 = RoutingState.initial("v1", "v2");
    static final ProposeWeights TEN_PERCENT = new ProposeWeights(Weights.split("v1", "v2", 10));

    @Test
    void aForwardedCallFailsWithAClearMessageIfTheCoordinatorStaysSilent() {
        Forwarder forwarder = new Forwarder("node-a", CONFIG, 500);
        List<Effect> out = forwarder.forward(1, TEN_PERCENT);
        assertThat(Fx.sent(out, ForwardRequest.class)).containsExactly(new ForwardRequest(500, TEN_PERCENT));
        assertThat(Fx.sent(forwarder.onResend(500), ForwardRequest.class)).as("resent until answered").hasSize(1);

        List<Effect> timedOut = forwarder.onTimeout(500);
        assertThat(Fx.outcome(timedOut, 1)).isEqualTo(Outcome.unknown("coordinator node-a did not answer within 10s"));
        assertThat(forwarder.onResend(500)).isEmpty();
    }

    @Test
    void theCoordinatorsAnswerCompletesTheCallerOnce() {
        Forwarder forwarder = new Forwarder("node-a", CONFIG, 500);
        forwarder.forward(1, TEN_PERCENT);
        ForwardResponse response = new ForwardResponse(500, ForwardResponse.Outcome.FAILED, V1, "node-c voted NO");
        assertThat(Fx.outcome(forwarder.onResponse("node-a", response), 1)).isEqualTo(Outcome.failure("node-c voted NO"));
        assertThat(forwarder.onResponse("node-a", response)).as("a duplicate answer changes nothing").isEmpty();
        assertThat(forwarder.onTimeout(500)).isEmpty();
    }

    @Test
    void theCoordinatorRunsADuplicatedForwardOnceAndRepeatsItsAnswer() {
        ProtocolNode coordinator = new ProtocolNode("node-a", List.of("node-a", "node-b"), "node-a", Set.of(), CONFIG,
                Recovery.replay(List.of(), V1), 0);
        coordinator.start(0);
        coordinator.onMessage("node-b", new io.canary.transport.Message.Heartbeat(1, true), 0);
        ForwardRequest request = new ForwardRequest(77, TEN_PERCENT);
        List<Effect> first = coordinator.onMessage("node-b", request, 1);
        assertThat(Fx.sent(first, Prepare.class)).hasSize(2);
        assertThat(coordinator.onMessage("node-b", request, 2)).as("in flight: no second transaction").isEmpty();

        long tx = Fx.sent(first, Prepare.class).get(0).txId();
        List<Effect> all = new ArrayList<>();
        for (Effect e : first) {
            if (e instanceof Effect.Send s && s.message() instanceof Prepare p) {
                List<Effect> vote = coordinator.onMessage(s.to(), p, 3);
                if (s.to().equals("node-a")) {
                    all.addAll(coordinator.onMessage("node-a", Fx.sent(vote, io.canary.transport.Message.Vote.class).get(0), 3));
                } else {
                    all.addAll(coordinator.onMessage("node-b", new io.canary.transport.Message.Vote(tx, true, ""), 3));
                }
            }
        }
        ForwardResponse answer = Fx.sent(all, ForwardResponse.class).get(0);
        assertThat(answer.outcome()).isEqualTo(ForwardResponse.Outcome.COMMITTED);
        assertThat(answer.state().version()).isEqualTo(2);
        assertThat(Fx.sent(coordinator.onMessage("node-b", request, 4), ForwardResponse.class)).containsExactly(answer);
    }

    @Test
    void aRequestAcceptedBeforeTheCoordinatorRestartedIsAnsweredOutcomeUnknownAndNeverRunAgain() {
        ProtocolNode before = coordinator(Recovery.replay(List.of(), V1));
        ForwardRequest request = new ForwardRequest(77, TEN_PERCENT);
        List<Effect> first = before.onMessage("node-b", request, 1);
        int accepted = Fx.indexOf(first, e -> e instanceof Effect.Append a && a.durable()
                && a.record() instanceof LogRecord.RequestAccepted r && r.from().equals("node-b") && r.requestId() == 77
                && r.at() == 1 && r.command().equals("set weights v1=90% v2=10%"));
        int prepare = Fx.indexOf(first, e -> e instanceof Effect.Send s && s.message() instanceof Prepare);
        assertThat(accepted).as("durably accepted").isGreaterThanOrEqualTo(0);
        assertThat(accepted).as("accepted before the work starts").isLessThan(prepare);

        List<LogRecord> log = new ArrayList<>();
        log.add(new LogRecord.CoordinatorEpoch(1));
        Fx.of(first, Effect.Append.class).forEach(a -> log.add(a.record()));
        ProtocolNode restarted = coordinator(Recovery.replay(log, V1));
        List<Effect> resent = restarted.onMessage("node-b", request, 2);
        assertThat(Fx.sent(resent, Prepare.class)).as("never run again").isEmpty();
        ForwardResponse answer = Fx.sent(resent, ForwardResponse.class).get(0);
        assertThat(answer.outcome()).isEqualTo(ForwardResponse.Outcome.UNKNOWN);
        assertThat(answer.error()).isEqualTo("the coordinator node-a restarted while running"
                + " this request; it may have committed: check the routing state");
        assertThat(Fx.sent(restarted.onMessage("node-b", request, 3), ForwardResponse.class))
                .as("a further resend gets the same answer").containsExactly(answer);
        assertThat(Fx.sent(restarted.onMessage("node-b", new ForwardRequest(78, TEN_PERCENT), 4), Prepare.class))
                .as("a new request runs").hasSize(2);
    }

    @Test
    void theParticipantGivesItsCallerAnOutcomeUnknownFailureForARestartedCoordinatorsAnswer() {
        Forwarder forwarder = new Forwarder("node-a", CONFIG, 500);
        forwarder.forward(1, TEN_PERCENT);
        String error = "the coordinator node-a restarted while running this request";
        List<Effect> out = forwarder.onResponse("node-a", new ForwardResponse(500, ForwardResponse.Outcome.UNKNOWN, V1, error));
        assertThat(Fx.outcome(out, 1)).isEqualTo(Outcome.unknown(error));
    }

    @Test
    void theOutcomeIsTheTypedFieldNotTheErrorText() {
        Forwarder forwarder = new Forwarder("node-a", CONFIG, 500);
        forwarder.forward(1, TEN_PERCENT);
        forwarder.forward(2, TEN_PERCENT);
        String looksUnknown = "outcome unknown: node-c voted NO";
        assertThat(Fx.outcome(forwarder.onResponse("node-a",
                new ForwardResponse(500, ForwardResponse.Outcome.FAILED, V1, looksUnknown)), 1))
                .as("a FAILED answer stays a plain failure whatever its text says")
                .isEqualTo(Outcome.failure(looksUnknown));
        assertThat(Fx.outcome(forwarder.onResponse("node-a",
                new ForwardResponse(501, ForwardResponse.Outcome.COMMITTED, V1, "")), 2))
                .isEqualTo(Outcome.success(V1));
    }

    @Test
    void theCoordinatorAnswersATimedOutRequestAsUnknownAndARefusedOneAsFailed() {
        Replies replies = new Replies();
        List<Effect> unknown = replies.reply(new Caller.Remote("node-b", 7), Outcome.unknown("no decision in time"), V1);
        List<Effect> failed = replies.reply(new Caller.Remote("node-b", 8), Outcome.failure("node-c voted NO"), V1);
        assertThat(Fx.sent(unknown, ForwardResponse.class))
                .containsExactly(new ForwardResponse(7, ForwardResponse.Outcome.UNKNOWN, V1, "no decision in time"));
        assertThat(Fx.sent(failed, ForwardResponse.class))
                .containsExactly(new ForwardResponse(8, ForwardResponse.Outcome.FAILED, V1, "node-c voted NO"));
    }

    @Test
    void aCheckpointKeepsOnlyTheMostRecentAcceptedRequests() {
        List<LogRecord> log = new ArrayList<>();
        for (long id = 1; id <= AcceptedRequests.KEPT + 500; id++) {
            log.add(new LogRecord.RequestAccepted("node-b", id));
        }
        ProtocolNode node = coordinator(Recovery.replay(log, V1));
        List<LogRecord> checkpoint = node.checkpointRecords();
        List<LogRecord.RequestAccepted> kept = Recovery.replay(checkpoint, V1).accepted();
        assertThat(kept).hasSize(AcceptedRequests.KEPT);
        assertThat(kept.get(0).requestId()).isEqualTo(501);
        assertThat(kept.get(kept.size() - 1).requestId()).isEqualTo(AcceptedRequests.KEPT + 500);
        assertThat(Recovery.replay(checkpoint, V1).otherRecords()).as("not handed to the rollout").isEmpty();
    }

    private static ProtocolNode coordinator(Recovery recovery) {
        ProtocolNode node = new ProtocolNode("node-a", List.of("node-a", "node-b"), "node-a", Set.of(), CONFIG,
                recovery, 0);
        node.start(0);
        node.onMessage("node-b", new io.canary.transport.Message.Heartbeat(1, true), 0);
        return node;
    }
}
