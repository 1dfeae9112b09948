package io.canary.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.launcher.proxy.ProxyStats.MirrorOutcome;
import io.canary.model.RolloutInfo;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutPlan;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rollout's shadow step mirrors without {@code --mirror}: while the committed rollout stands at
 * its shadow step the proxy copies that share of the baseline's requests to the canary (recorded as
 * mirror traffic only), users get the baseline only, and copying stops with the step. Both engines.
 */
class ShadowMirrorTest {
    private static final int REQUESTS = 80;
    private ProxyHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    /** A proxy WITHOUT --mirror on the named engine (the property is read once, at start). */
    private static ProxyHarness start(String engine) {
        String before = System.getProperty(ProxyServer.ENGINE_PROPERTY);
        System.setProperty(ProxyServer.ENGINE_PROPERTY, engine);
        try {
            return ProxyHarness.start(b -> b);
        } finally {
            if (before == null) {
                System.clearProperty(ProxyServer.ENGINE_PROPERTY);
            } else {
                System.setProperty(ProxyServer.ENGINE_PROPERTY, before);
            }
        }
    }

    private static RoutingState committed(long version, RolloutInfo rollout) {
        return new RoutingState(version, RoutingState.Status.COMMITTED, Weights.all("v1"), "v1", 1, 1, rollout);
    }

    private void sendAll(int n, String prefix) {
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = h.get("/" + prefix + i);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).as("users get the baseline only").isEqualTo("ok v1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"netty", "jetty"})
    void theShadowStepCopiesItsShareToTheCanaryWithoutMirrorConfiguredAndStopsWithTheStep(String engine) {
        h = start(engine);
        RolloutInfo shadow = RolloutInfo.started("r1", RolloutPlan.builder("v1", "v2").shadow(25).build(), Phase.PROGRESSING, "", 0);
        assertThat(shadow.shadowMirrorBasisPoints()).isEqualTo(2_500);
        h.node.state = committed(3, shadow);

        sendAll(REQUESTS, "shadow-");
        // a body-less copy is counted as sent before the real answer is written: the count is final here
        long sent = h.stats.mirrorsSent("v2");
        assertThat(sent).as("~25%% of %d requests copied (binomial, sd 3.9)", REQUESTS).isBetween(5L, 40L);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.node.mirrored("v2").get(0) == sent);
        assertThat(h.node.mirrored("v2")).as("recorded as mirror traffic, all answered").containsExactly(sent, 0L);
        assertThat(h.v2().requests()).hasSize((int) sent)
                .allSatisfy(s -> assertThat(s.header("x-canary-mirror")).isEqualTo("1"));
        assertThat(h.stats.mirrors("v2", MirrorOutcome.OK)).isEqualTo(sent);
        assertThat(h.node.recorded("v2")).as("no user request reached the canary").containsExactly(0L, 0L);
        h.awaitRecorded("v1", REQUESTS, 0);

        // never pinned requests, never during fail-safe
        for (int i = 0; i < 5; i++) {
            h.send(h.request("/pinned").header("X-Canary-Version", "v1").GET().build());
        }
        h.node.failSafe = true;
        sendAll(10, "fail-safe-");
        h.node.failSafe = false;
        assertThat(h.stats.mirrorsSent("v2")).as("pinned or fail-safe: no copy").isEqualTo(sent);

        // the rollout leaves its shadow step (to 5%, the fake still routes users to v1): no more copies
        h.node.state = committed(4, shadow.with(1, Phase.PROGRESSING, "step 5%"));
        assertThat(h.node.state.rollout().shadowMirrorBasisPoints()).isZero();
        sendAll(20, "after-");
        assertThat(h.stats.mirrorsSent("v2")).as("after the shadow step").isEqualTo(sent);

        // a rollout without a shadow share, or none at all: no copies either
        RolloutInfo plain = RolloutInfo.started("r2", RolloutPlan.builder("v1", "v2").build(), Phase.PROGRESSING, "", 0);
        assertThat(plain.shadowMirrorBasisPoints()).isZero();
        h.node.state = committed(5, plain);
        sendAll(20, "plain-");
        h.node.state = committed(6, RolloutInfo.NONE);
        sendAll(10, "none-");
        assertThat(h.stats.mirrorsSent("v2")).isEqualTo(sent);
        assertThat(h.v2().requests()).hasSize((int) sent);
    }
}
