package io.canary.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.NodeConfig;
import io.canary.model.RoutingState;
import io.canary.transport.Message.Heartbeat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipTest {
    static final RoutingState V1 = RoutingState.initial("v1", "v2");

    @Test
    void aParticipantAheadOfTheCoordinatorIsWarnedAboutOncePerVersionNotOnEveryHeartbeat() {
        Membership m = new Membership("node-a", List.of("node-a", "node-b", "node-c"), "node-a", NodeConfig.ofDefaults());
        List<Effect> effects = new ArrayList<>();

        for (int i = 0; i < 10; i++) {
            effects.addAll(m.onHeartbeat("node-b", new Heartbeat(4, true), V1, 1_000 + 500L * i));
            effects.addAll(m.onHeartbeat("node-c", new Heartbeat(4, true), V1, 1_000 + 500L * i));
        }
        effects.addAll(m.onHeartbeat("node-b", new Heartbeat(5, true), V1, 7_000));

        assertThat(Fx.of(effects, Effect.Log.class)).extracting(Effect.Log::message).containsExactly(
                "node-b reports committed version 4 but the coordinator node-a has only 1; was the coordinator's log lost?",
                "node-c reports committed version 4 but the coordinator node-a has only 1; was the coordinator's log lost?",
                "node-b reports committed version 5 but the coordinator node-a has only 1; was the coordinator's log lost?");
    }
}
