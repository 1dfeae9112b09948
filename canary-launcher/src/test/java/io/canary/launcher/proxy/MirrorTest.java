package io.canary.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.launcher.proxy.ProxyStats.MirrorOutcome;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Mirroring: copies reach the target, their health is recorded apart, and the client never notices them. */
class MirrorTest {
    private ProxyHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private static MirrorSpec all(String target) {
        return new MirrorSpec(Optional.ofNullable(target), 10_000, MirrorSpec.DEFAULT_MAX_IN_FLIGHT, MirrorSpec.DEFAULT_MAX_BODY_BYTES);
    }

    @Test
    void aCopyOfABaselineRequestReachesTheTargetWithItsBodyAndIsRecordedAsMirrorTrafficOnly() {
        h = ProxyHarness.start(b -> b.mirror(all("v2")));
        HttpResponse<String> r = h.send(h.request("/echo/x?q=1").header("X-App", "7")
                .POST(HttpRequest.BodyPublishers.ofString("payload-123")).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("payload-123");
        assertThat(r.headers().firstValue("X-Upstream")).contains("v1");
        assertThat(r.headers().firstValue("X-Canary-Version")).contains("v1");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.v2().requests().size() == 1);
        TestUpstream.Seen copy = h.v2().requests().get(0);
        assertThat(copy.method()).isEqualTo("POST");
        assertThat(copy.uri()).isEqualTo("/echo/x?q=1");
        assertThat(copy.bodyBytes()).isEqualTo("payload-123".length());
        assertThat(copy.header("x-app")).isEqualTo("7");
        assertThat(copy.header("x-canary-mirror")).isEqualTo("1");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.node.mirrored("v2").equals(List.of(1L, 0L)));
        h.awaitRecorded("v1", 1, 0);
        assertThat(h.node.recorded("v2")).as("a copy is not user traffic").containsExactly(0L, 0L);
        assertThat(h.stats.mirrors(MirrorOutcome.OK)).isEqualTo(1);
    }

    @Test
    void theClientNeverWaitsForASlowMirrorNorSeesItsFailure() {
        h = ProxyHarness.start(b -> b.mirror(all("v2")).upstreamTimeout(Duration.ofSeconds(1)));
        h.v2().delayMs = 3_000; // slower than the timeout: every copy fails
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = h.get("/plain");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ok v1");
        }
        assertThat(h.node.mirrored("v2")).as("5 answers while no copy has finished (each takes 1 s to time out)")
                .containsExactly(0L, 0L);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.node.mirrored("v2").equals(List.of(5L, 5L)));
        assertThat(h.stats.mirrors(MirrorOutcome.FAILED)).isEqualTo(5);
        h.awaitRecorded("v1", 5, 0);
    }

    @Test
    void copiesInFlightAreBoundedAndTheExcessIsDroppedNotQueued() {
        h = ProxyHarness.start(b -> b.mirror(new MirrorSpec(Optional.of("v2"), 10_000, 2, 1024)).upstreamTimeout(Duration.ofSeconds(5)));
        h.v2().delayMs = 2_000;
        for (int i = 0; i < 10; i++) {
            assertThat(h.get("/plain").statusCode()).isEqualTo(200);
        }
        assertThat(h.stats.mirrors(MirrorOutcome.DROPPED)).isEqualTo(8);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.stats.mirrors(MirrorOutcome.OK) == 2);
        assertThat(h.v2().requests()).hasSize(2);
    }

    @Test
    void aBodyOverTheMirrorLimitIsNotCopiedButStillServed() {
        h = ProxyHarness.start(b -> b.mirror(new MirrorSpec(Optional.of("v2"), 10_000, 8, 100)));
        assertThat(h.send(h.request("/echo").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[101])).build()).statusCode())
                .isEqualTo(200);
        assertThat(h.send(h.request("/echo").POST(HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(new byte[5000]))).build()).statusCode()).as("chunked").isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.stats.mirrors(MirrorOutcome.SKIPPED) == 2);
        assertThat(h.v2().requests()).isEmpty();
    }

    @Test
    void onlyUnpinnedBaselineTrafficIsCopiedAndNothingDuringFailSafe() {
        h = ProxyHarness.start(b -> b.mirror(all("v2")));
        h.node.routeTo = "v2";
        h.get("/canary-traffic");
        h.node.routeTo = "v1";
        h.send(h.request("/pinned").header("X-Canary-Version", "v1").GET().build());
        h.node.failSafe = true;
        h.get("/fail-safe");
        h.node.failSafe = false;
        h.get("/copied");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.node.mirrored("v2").get(0) == 1);
        assertThat(h.v2().requests()).extracting(TestUpstream.Seen::uri).containsExactly("/canary-traffic", "/copied");
    }

    @Test
    void withoutATargetCopiesGoToTheActiveRolloutsCanaryOnly() {
        h = ProxyHarness.start(b -> b.mirror(all(null)));
        h.get("/no-rollout");
        RolloutInfo shadow = new RolloutInfo("r1", "v2", List.of(0, 5, 100), 0, RolloutInfo.Phase.PROGRESSING, "");
        h.node.state = new RoutingState(3, RoutingState.Status.COMMITTED, Weights.all("v1"), "v1", 1, 1, shadow);
        h.get("/shadow-step");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.node.mirrored("v2").get(0) == 1);
        assertThat(h.v2().requests()).extracting(TestUpstream.Seen::uri).containsExactly("/shadow-step");
    }

    @Test
    void mirrorSharesParse() {
        assertThat(MirrorSpec.parse("10%")).isEqualTo(new MirrorSpec(Optional.empty(), 1000, 64, 65_536));
        assertThat(MirrorSpec.parse("v2=0.25").basisPoints()).isEqualTo(2500);
        assertThat(MirrorSpec.parse("v2=0.25").target()).contains("v2");
        for (String bad : List.of("0%", "150%", "v2=x", "=5%")) {
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> MirrorSpec.parse(bad))
                    .withMessageContaining("bad mirror '" + bad + "'");
        }
    }
}
