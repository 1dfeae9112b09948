package io.canary.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sticky keys, pins and their safety rules, through the real proxy. */
class RoutingRulesTest {
    private ProxyHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private String served(HttpResponse<String> r) {
        assertThat(r.statusCode()).isEqualTo(200);
        String upstream = r.headers().firstValue("X-Upstream").orElseThrow();
        assertThat(r.headers().firstValue("X-Canary-Version")).contains(upstream);
        return upstream;
    }

    @Test
    void theStickyHeaderIsTheRoutingKeySoAUserStaysOnOneVersion() {
        h = ProxyHarness.start();
        h.node.byKey = key -> key.startsWith("beta-") ? "v2" : "v1";
        for (int i = 0; i < 3; i++) {
            assertThat(served(h.send(h.request("/x").header("X-Canary-Key", "beta-7").GET().build()))).isEqualTo("v2");
            assertThat(served(h.send(h.request("/x").header("X-Canary-Key", "user-7").GET().build()))).isEqualTo("v1");
        }
        assertThat(served(h.get("/x"))).as("no key: routed by the weights").isEqualTo("v1");
        assertThat(h.node.routedKeys).containsOnly("beta-7", "user-7", "null");
        h.awaitRecorded("v2", 3, 0);
        h.awaitRecorded("v1", 4, 0);
    }

    @Test
    void aConfiguredHeaderOrCookieCarriesTheKeyAndTheHeaderWins() {
        h = ProxyHarness.start(b -> b.stickyHeader("X-User").stickyCookie("uid"));
        h.node.byKey = key -> key.equals("u2") ? "v2" : "v1";
        assertThat(served(h.send(h.request("/x").header("Cookie", "theme=dark; uid=u2").GET().build()))).isEqualTo("v2");
        assertThat(served(h.send(h.request("/x").header("X-User", "u1").header("Cookie", "uid=u2").GET().build()))).isEqualTo("v1");
        assertThat(served(h.send(h.request("/x").header("X-Canary-Key", "u2").GET().build())))
                .as("the default header is not read once another is configured").isEqualTo("v1");
        assertThat(h.node.routedKeys).containsExactly("u2", "u1", "null");
    }

    @Test
    void theVersionHeaderPinsAndPinnedRequestsAreCountedApartFromTheVersionsHealth() {
        h = ProxyHarness.start();
        for (int i = 0; i < 4; i++) {
            assertThat(served(h.send(h.request("/x").header("X-Canary-Version", "v2").GET().build()))).isEqualTo("v2");
        }
        assertThat(h.get("/status/500").statusCode()).as("unpinned, to v1").isEqualTo(500);
        org.awaitility.Awaitility.await().untilAsserted(() ->
                assertThat(h.stats.pinnedRequests().get("v2")).containsExactly(4L, 0L));
        h.awaitRecorded("v1", 1, 1);
        assertThat(h.node.recorded("v2")).as("pinned traffic is not the canary's sample").containsExactly(0L, 0L);
        assertThat(h.node.routedKeys).as("a pinned request is not routed").hasSize(1);
    }

    @Test
    void aPinToAVersionThatIsNotServableIsIgnored() {
        h = ProxyHarness.start(b -> b.upstream(new UpstreamSpec("v3", List.of(java.net.URI.create("http://127.0.0.1:9")))));
        // v7 has no upstream; v3 has one but no committed state names it.
        assertThat(served(h.send(h.request("/x").header("X-Canary-Version", "v7").GET().build()))).isEqualTo("v1");
        assertThat(served(h.send(h.request("/x").header("X-Canary-Version", "v3").GET().build()))).isEqualTo("v1");
        h.awaitRecorded("v1", 2, 0);
        assertThat(h.stats.pinnedRequests()).isEmpty();
    }

    @Test
    void theActiveRolloutsCanaryCanBePinnedBeforeItHasAnyWeight() {
        h = ProxyHarness.start();
        RolloutInfo shadow = new RolloutInfo("r1", "v2", List.of(0, 5, 100), 0, RolloutInfo.Phase.PROGRESSING, "");
        h.node.state = new RoutingState(3, RoutingState.Status.COMMITTED, Weights.all("v1"), "v1", 1, 1, shadow);
        assertThat(served(h.send(h.request("/x").header("X-Canary-Version", "v2").GET().build()))).isEqualTo("v2");
        h.node.state = new RoutingState(4, RoutingState.Status.COMMITTED, Weights.all("v1"), "v1", 1, 1,
                shadow.with(0, RolloutInfo.Phase.ROLLED_BACK, "bad"));
        assertThat(served(h.send(h.request("/x").header("X-Canary-Version", "v2").GET().build())))
                .as("once rolled back, the pin no longer reaches it").isEqualTo("v1");
    }

    @Test
    void duringFailSafeOnlyPinsToTheBaselineAreHonoured() {
        h = ProxyHarness.start();
        h.node.failSafe = true;
        assertThat(served(h.send(h.request("/x").header("X-Canary-Version", "v2").GET().build()))).isEqualTo("v1");
        assertThat(served(h.send(h.request("/x").header("X-Canary-Version", "v1").GET().build()))).isEqualTo("v1");
        org.awaitility.Awaitility.await().untilAsserted(() ->
                assertThat(h.stats.pinnedRequests().get("v1")).containsExactly(1L, 0L));
    }

    @Test
    void aTesterCookieRulePinsToItsVersionAndRulesCanBeTurnedOff() {
        h = ProxyHarness.start(b -> b.pins(List.of(PinRule.parse("cookie:tester=v2"), PinRule.parse("header:X-Canary-Version"))));
        assertThat(served(h.send(h.request("/x").header("Cookie", "tester=yes").GET().build()))).isEqualTo("v2");
        assertThat(served(h.send(h.request("/x").header("X-Canary-Version", "v2").GET().build()))).isEqualTo("v2");
        h.close();

        h = ProxyHarness.start(b -> b.pins(List.of()));
        assertThat(served(h.send(h.request("/x").header("X-Canary-Version", "v2").GET().build()))).isEqualTo("v1");
    }

    @Test
    void pinRulesParseAndRefuseNonsense() {
        assertThat(PinRule.parse("header:X-Canary-Version")).isEqualTo(PinRule.VERSION_HEADER);
        assertThat(PinRule.parse("cookie:tester=v2")).isEqualTo(new PinRule(PinRule.Source.COOKIE, "tester", Optional.of("v2")));
        for (String bad : List.of("tester=v2", "query:x", "cookie:", "cookie:tester=")) {
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> PinRule.parse(bad))
                    .withMessageContaining("bad pin rule '" + bad + "'");
        }
    }
}
