package io.canary.launcher.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.canary.health.VersionHealth;
import io.canary.model.RoutingState;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node's proxy, started WITHOUT {@code --mirror}: a rollout at its shadow step gets its share
 * of the baseline's requests copied to the canary, counted as the step's mirror traffic, while
 * users only reach the baseline; the copies stop when the rollout ends.
 */
class ShadowStepThroughNodeTest {
    @TempDir
    Path dir;
    private final ProxyNodeFixture f = new ProxyNodeFixture();
    private final AtomicInteger copiesAtV2 = new AtomicInteger();

    @AfterEach
    void stop() {
        f.close();
    }

    private HttpServer upstream(String name) {
        return f.upstream(200, ex -> {
            if ("1".equals(ex.getRequestHeaders().getFirst("X-Canary-Mirror"))) {
                copiesAtV2.incrementAndGet();
            }
            return name;
        });
    }

    private static long count(Map<String, VersionHealth> m, String version) {
        VersionHealth h = m.get(version);
        return h == null ? 0 : h.requests();
    }

    @Test
    void theShadowStepsShareOfBaselineRequestsIsMirroredToTheCanaryAndCountedInTheStep() throws Exception {
        NodeSettings s = ProxyNodeFixture.proxyNode(dir, upstream("v1"), upstream("v2"), "--initial-weights", "v1=1.0,v2=0.0");
        try (NodeProcess node = NodeProcess.start(s, SocketTransports.factory(), NodeConsole.silent("node-a"))) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.node().isReady());
            RoutingState started = node.node().startRollout(RolloutPlan.builder("v1", "v2").shadow(50).build())
                    .get(10, TimeUnit.SECONDS);
            assertThat(started.rollout().shadowMirrorBasisPoints()).isEqualTo(5_000);
            int port = node.proxy().orElseThrow().port();
            int n = 60;
            for (int i = 0; i < n; i++) {
                HttpResponse<String> r = f.get(port, "/s?i=" + i);
                assertThat(r.body()).as("users get the baseline only").isEqualTo("v1");
            }
            long sent = node.proxy().orElseThrow().stats().mirrorsSent("v2");
            // 50% of 60 within ~4 standard deviations (sd = 3.9)
            assertThat(sent).isBetween(14L, 46L);
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(copiesAtV2.get()).isEqualTo((int) sent);
                assertThat(count(node.node().health().step().mirrors(), "v2")).as("the step's mirror counts").isEqualTo(sent);
                assertThat(count(node.node().health().step().versions(), "v1")).isEqualTo(n);
            });
            assertThat(count(node.node().health().step().versions(), "v2")).as("no user on the canary").isZero();

            RoutingState aborted = node.node().controlRollout(RolloutAction.ABORT).get(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> node.node().state().version() >= aborted.version());
            assertThat(node.node().state().rollout().shadowMirrorBasisPoints()).isZero();
            for (int i = 0; i < 30; i++) {
                f.get(port, "/after?i=" + i);
            }
            assertThat(node.proxy().orElseThrow().stats().mirrorsSent("v2")).as("no copies after the shadow step").isEqualTo(sent);
        }
    }
}
