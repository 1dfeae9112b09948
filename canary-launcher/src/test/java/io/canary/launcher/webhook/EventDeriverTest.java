package io.canary.launcher.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CoordinationStatus;
import io.canary.health.VersionStats;
import io.canary.model.RolloutInfo;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which events each observed change yields (seam 7), without a cluster. */
class EventDeriverTest {
    private static final List<Integer> STEPS = List.of(10, 50, 100);
    private final EventDeriver deriver = new EventDeriver("node-a", () -> 42);
    private RoutingState state = RoutingState.initial("v1", "v2");
    private final List<WebhookEvent> events = new ArrayList<>();

    EventDeriverTest() {
        deriver.onState(state);
    }

    private void commit(String id, int step, Phase phase, String reason) {
        int pct = step < 0 ? 0 : STEPS.get(step);
        RolloutInfo r = new RolloutInfo(id, "v2", STEPS, step, phase, reason);
        Weights w = phase == Phase.ROLLED_BACK || phase == Phase.ABORTED ? Weights.split("v1", "v2", 0) : Weights.split("v1", "v2", pct / 100.0);
        state = state.next(w, phase == Phase.COMPLETED ? "v2" : "v1", r, state.version(), 0);
        events.addAll(deriver.onState(state));
    }

    private List<WebhookEvent.Type> types() {
        return events.stream().map(WebhookEvent::event).toList();
    }

    @Test
    void aRolloutsLifeIsOneEventPerChangeInOrder() {
        commit("r1", 0, Phase.PROGRESSING, "");
        commit("r1", 0, Phase.PAUSED, "paused by an operator");
        commit("r1", 0, Phase.PROGRESSING, "resumed by an operator");
        commit("r1", 1, Phase.PROGRESSING, "canary healthy");
        commit("r1", 2, Phase.COMPLETED, "canary healthy");
        commit("r2", 0, Phase.PROGRESSING, "");
        commit("r2", 0, Phase.ROLLED_BACK, "error rate 30% > 5%");
        commit("r3", 0, Phase.PROGRESSING, "");
        commit("r3", 0, Phase.ABORTED, "aborted by an operator");

        assertThat(types()).containsExactly(WebhookEvent.Type.ROLLOUT_STARTED, WebhookEvent.Type.PAUSED, WebhookEvent.Type.RESUMED,
                WebhookEvent.Type.STEP_PROMOTED, WebhookEvent.Type.COMPLETED, WebhookEvent.Type.ROLLOUT_STARTED,
                WebhookEvent.Type.ROLLED_BACK, WebhookEvent.Type.ROLLOUT_STARTED, WebhookEvent.Type.ABORTED);
        WebhookEvent promoted = events.get(3);
        assertThat(promoted.rollout().step()).isEqualTo(2);
        assertThat(promoted.rollout().percent()).isEqualTo(50);
        assertThat(promoted.text()).isEqualTo("[canary node-a] rollout r1 of v2 promoted to step 2/3 (50%): canary healthy");
        assertThat(events.get(6).text()).contains("rolled back").contains("error rate 30% > 5%").contains("back on v1");
        assertThat(events.get(6).reason()).isEqualTo("error rate 30% > 5%");
    }

    @Test
    void aStateSeenTwiceOrOutOfOrderYieldsNothing() {
        commit("r1", 0, Phase.PROGRESSING, "");
        RoutingState again = state;
        assertThat(deriver.onState(again)).isEmpty();
        assertThat(deriver.onState(RoutingState.initial("v1", "v2"))).isEmpty();
    }

    @Test
    void aHoldIsAnnouncedOncePerStepAndReasonWithItsEvidence() {
        commit("r1", 0, Phase.PROGRESSING, "");
        VersionStats base = new VersionStats("v1", 500, 2, 0.004, 20, 40, 60);
        VersionStats can = new VersionStats("v2", 12, 0, 0, 21, 41, 61);
        deriver.onVerdicts(List.of(), state.rollout());
        Verdict hold1 = new Verdict(Verdict.Decision.HOLD, "too little traffic: 12 < 100 requests", 0, 1000, base, can);
        Verdict hold2 = new Verdict(Verdict.Decision.HOLD, "too little traffic: 12 < 100 requests", 0, 2000, base, can);
        Verdict pass = new Verdict(Verdict.Decision.PROMOTE, "healthy", 0, 3000, base, can);

        List<WebhookEvent> held = new ArrayList<>(deriver.onVerdicts(List.of(hold1), state.rollout()));
        held.addAll(deriver.onVerdicts(List.of(hold1, hold2), state.rollout()));
        held.addAll(deriver.onVerdicts(List.of(hold1, hold2, pass), state.rollout()));

        assertThat(held).hasSize(1);
        WebhookEvent e = held.get(0);
        assertThat(e.event()).isEqualTo(WebhookEvent.Type.HELD);
        assertThat(e.reason()).isEqualTo("too little traffic: 12 < 100 requests");
        assertThat(e.verdict().canaryRequests()).isEqualTo(12);
        assertThat(e.verdict().baselineP95Ms()).isEqualTo(40);
        assertThat(e.text()).isEqualTo("[canary node-a] rollout r1 of v2 held at step 1/3 (10%): too little traffic: 12 < 100 requests");
    }

    @Test
    void verdictsKnownAtStartAreHistory() {
        commit("r1", 0, Phase.PROGRESSING, "");
        Verdict old = new Verdict(Verdict.Decision.HOLD, "too little traffic", 0, 1000, new VersionStats("v1", 0, 0, 0, 0, 0, 0), new VersionStats("v2", 0, 0, 0, 0, 0, 0));
        assertThat(deriver.onVerdicts(List.of(old), state.rollout())).isEmpty();
    }

    @Test
    void coordinatorAndFailSafeChanges() {
        assertThat(deriver.onCoordination(new CoordinationStatus(Optional.of("node-a"), 1, false, ""))).isEmpty();
        List<WebhookEvent> moved = deriver.onCoordination(new CoordinationStatus(Optional.of("node-b"), 2, false, ""));
        List<WebhookEvent> failSafe = deriver.onCoordination(new CoordinationStatus(Optional.of("node-b"), 2, true, "no lease from a majority"));
        List<WebhookEvent> back = deriver.onCoordination(new CoordinationStatus(Optional.of("node-b"), 2, false, ""));

        assertThat(moved).singleElement().satisfies(e -> {
            assertThat(e.event()).isEqualTo(WebhookEvent.Type.COORDINATOR_CHANGED);
            assertThat(e.coordinator()).isEqualTo("node-b");
            assertThat(e.term()).isEqualTo(2);
            assertThat(e.text()).isEqualTo("[canary node-a] node-b coordinates in term 2 (was node-a)");
        });
        assertThat(failSafe).singleElement().satisfies(e -> {
            assertThat(e.event()).isEqualTo(WebhookEvent.Type.FAIL_SAFE_ENTERED);
            assertThat(e.failSafe()).isTrue();
            assertThat(e.reason()).isEqualTo("no lease from a majority");
        });
        assertThat(back).singleElement().extracting(WebhookEvent::event).isEqualTo(WebhookEvent.Type.FAIL_SAFE_LEFT);
    }
}
