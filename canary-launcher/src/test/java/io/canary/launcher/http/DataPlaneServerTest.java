package io.canary.launcher.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.launcher.model.ModelBackend;
import io.canary.launcher.model.ModelSpec;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Thresholds;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data plane's HTTP contract against a node whose outcomes the test decides. {@code POST /routing/weights}
 * has its own contract, run on both data ports: {@link WeightsRouteContract}.
 */
class DataPlaneServerTest {
    private final FakeNode node = new FakeNode();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private DataPlaneServer server;
    private HttpTestClient client;

    @BeforeEach
    void start() {
        server = start(DataPlaneOptions.of("127.0.0.1", 0, 1024, Optional.empty(), Duration.ofSeconds(1)));
        client = new HttpTestClient(server.port());
    }

    private DataPlaneServer start(DataPlaneOptions options) {
        Map<String, ModelBackend> models = new LinkedHashMap<>();
        org.eclipse.jetty.client.HttpClient http = null; // demo models only: no HTTP client needed
        models.put("v1", ModelBackend.create("v1", new ModelSpec.Demo(Duration.ZERO, 0), timer, http));
        models.put("v2", ModelBackend.create("v2", new ModelSpec.Demo(Duration.ofMillis(5), 1.0), timer, http));
        return DataPlaneServer.start(options, node, models);
    }

    @AfterEach
    void stop() {
        server.close();
        timer.shutdownNow();
    }

    @Test
    void routingStateShowsVersionStatusWeightsAndRollout() {
        var r = client.get("/routing/state");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("version").asLong()).isEqualTo(1);
        assertThat(r.json().get("status").asText()).isEqualTo("COMMITTED");
        assertThat(r.json().get("weights").get("v1").asDouble()).isEqualTo(1.0);
        assertThat(r.json().get("weights").get("v2").asDouble()).isEqualTo(0.0);
        assertThat(r.json().get("baseline").asText()).isEqualTo("v1");
        assertThat(r.json().get("rollout").get("phase").asText()).isEqualTo("NONE");
    }

    @Test
    void coordinatorNotAnsweringIs504BecauseTheOutcomeIsUnknown() {
        node.timeOutWith("coordinator node-a did not answer within 10s");
        var r = client.post("/routing/weights", "{\"weights\":{\"v1\":0.9,\"v2\":0.1}}");
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.error()).isEqualTo("coordinator node-a did not answer within 10s");
        node.timeOutWith("node-b got no outcome within 12s");
        assertThat(client.post("/rollout/pause", null).status()).isEqualTo(504);
        // The same words in a refusal are still a refusal: the type decides, not the wording.
        node.refuseWith("node-c voted NO: coordinator node-a did not answer within 10s");
        assertThat(client.post("/rollout/pause", null).status()).isEqualTo(409);
    }

    @Test
    void predictAnswersWithTheRoutedVersionInBodyAndHeaderAndRecordsIt() {
        var r = client.post("/predict", "{\"key\":\"user-42\",\"input\":{\"x\":1}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("version").asText()).isEqualTo("v1");
        assertThat(r.json().get("node").asText()).isEqualTo("node-a");
        assertThat(r.json().get("output").get("model").asText()).isEqualTo("v1");
        assertThat(r.headers().firstValue("X-Canary-Version")).contains("v1");
        assertThat(node.recorded.get("v1")).containsExactly(1, 0);
    }

    @Test
    void predictWithoutBodyRoutesAtRandom() {
        var r = client.post("/predict", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("version").asText()).isEqualTo("v1");
    }

    @Test
    void failingModelIs502NamingTheVersionAndCountsAsError() {
        node.routeTo = "v2";
        var r = client.post("/predict", "{}");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.json().get("version").asText()).isEqualTo("v2");
        assertThat(r.error()).isEqualTo("simulated failure of v2");
        assertThat(r.headers().firstValue("X-Canary-Version")).contains("v2");
        assertThat(node.recorded.get("v2")).containsExactly(1, 1);
    }

    @Test
    void rolloutStartsWithDefaultsAndNeedsOnlyTheCanary() {
        var r = client.post("/rollout", "{\"canary\":\"v2\",\"interval\":\"5s\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("rollout").get("canary").asText()).isEqualTo("v2");
        assertThat(r.json().get("rollout").get("percent").asInt()).isEqualTo(5);
        assertThat(r.json().get("weights").get("v2").asDouble()).isEqualTo(0.05);
        RolloutPlan plan = node.lastPlan;
        assertThat(plan.baseline()).as("the committed state's baseline").isEqualTo("v1");
        assertThat(plan.steps()).containsExactly(5, 25, 50, 100);
        assertThat(plan.stepInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(plan.minRequests()).isEqualTo(100);
        assertThat(plan.failureLimit()).isEqualTo(2);
        // The same defaults as an embedder's RolloutPlan.builder: error rate at most 5 points over the
        // baseline's, p95 at most 1.5 x the baseline's, no absolute bounds.
        assertThat(plan.thresholds()).isEqualTo(RolloutPlan.DEFAULT_THRESHOLDS);
        assertThat(plan.thresholds()).isEqualTo(new Thresholds(OptionalDouble.empty(), OptionalDouble.of(0.05),
                OptionalDouble.empty(), OptionalDouble.of(1.5)));
    }

    @Test
    void rolloutWithAShadowShareBeginsWithAShadowStepAndAShareThatIsNoWholePercentageIs400() {
        var r = client.post("/rollout", "{\"canary\":\"v2\",\"shadow\":0.1,\"steps\":[10,100]}");
        assertThat(r.status()).isEqualTo(200);
        RolloutPlan plan = node.lastPlan;
        assertThat(plan.steps()).containsExactly(0, 10, 100);
        assertThat(plan.shadowMirrorPercent()).isEqualTo(10);
        assertThat(plan.isShadowStep(0)).isTrue();
        for (String bad : new String[] {"0.105", "0", "1.5", "-0.1"}) {
            var refused = client.post("/rollout", "{\"canary\":\"v2\",\"shadow\":" + bad + "}");
            assertThat(refused.status()).as("shadow %s", bad).isEqualTo(400);
            assertThat(refused.error()).contains("field 'shadow': the shadow share must be a whole percentage in (0%, 100%]");
        }
    }

    @Test
    void rolloutSetsTheSequentialJudgesMarginsAndABadOneIs400NamingTheField() {
        var r = client.post("/rollout", "{\"canary\":\"v2\",\"errorMargin\":0.01,\"errorMarginRelative\":0.25,"
                + "\"rollbackErrorRatio\":1.1,\"rollbackErrorFloor\":0.001,\"latencyRatio\":1.3,\"quantiles\":[0.5,0.99],"
                + "\"promotionRisk\":0.1,\"alpha\":0.02}");
        assertThat(r.status()).isEqualTo(200);
        io.canary.rollout.Analysis a = node.lastPlan.analysis();
        assertThat(a).isEqualTo(new io.canary.rollout.Analysis(0.02, 0.1, 0.25, 0.01, 1.3, java.util.List.of(0.5, 0.99), 1.1,
                0.001));
        // without rollback margins: the defaults, kept inside the promotion margins given
        client.post("/rollout", "{\"canary\":\"v2\",\"errorMarginRelative\":0.1}");
        assertThat(node.lastPlan.analysis().rollbackErrorRatio()).isEqualTo(1.1);
        assertThat(node.lastPlan.analysis().rollbackErrorFloor()).isEqualTo(io.canary.rollout.Analysis.DEFAULT_ROLLBACK_ERROR_FLOOR);
        String[][] bad = {
            {"\"rollbackErrorRatio\":0.9", "field 'rollbackErrorRatio': rollbackErrorRatio must be in [1.0,1000.0], got 0.9"},
            {"\"rollbackErrorFloor\":1.5", "field 'rollbackErrorFloor': rollbackErrorFloor must be in [0.0,1.0], got 1.5"},
            {"\"promotionRisk\":0.7", "field 'promotionRisk': promotionRisk must be in [0 (exclusive),0.5], got 0.7"},
            {"\"errorMargin\":-0.01", "field 'errorMargin': errorMarginAbsolute must be in [0.0,1.0], got -0.01"},
            {"\"latencyRatio\":0.5", "field 'latencyRatio': latencyRatio must be in [1.0,1000.0], got 0.5"},
            {"\"quantiles\":[0.9,0.5]", "field 'quantiles': quantiles must be strictly increasing in (0,1), got [0.9, 0.5]"},
            {"\"rollbackErrorRatio\":\"high\"", "field 'rollbackErrorRatio'"},
        };
        for (String[] b : bad) {
            var refused = client.post("/rollout", "{\"canary\":\"v2\"," + b[0] + "}");
            assertThat(refused.status()).as(b[0]).isEqualTo(400);
            assertThat(refused.error()).as(b[0]).contains(b[1]);
        }
    }

    @Test
    void rolloutWithBadStepsIs400() {
        var r = client.post("/rollout", "{\"canary\":\"v2\",\"steps\":[50,25]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("steps");
    }

    @Test
    void rolloutOfUnknownVersionIs400() {
        var r = client.post("/rollout", "{\"canary\":\"v7\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("v7");
    }

    @Test
    void rolloutControlMapsActionsAndRefusalsTo409() {
        assertThat(client.post("/rollout/pause", null).status()).isEqualTo(200);
        node.refuseWith("no rollout is running");
        var r = client.post("/rollout/promote", null);
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.error()).isEqualTo("no rollout is running");
        assertThat(node.actions).containsExactly(RolloutAction.PAUSE, RolloutAction.PROMOTE);
        assertThat(client.post("/rollout/explode", null).status()).isEqualTo(404);
    }

    @Test
    void clusterListsMembersWithRoles() {
        var r = client.get("/cluster");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("coordinator").asText()).isEqualTo("node-a");
        assertThat(r.json().get("nodes").get(0).get("role").asText()).isEqualTo("coordinator");
        assertThat(r.json().get("nodes").get(1).get("reachable").asBoolean()).isFalse();
        assertThat(r.json().get("nodes").get(1).get("stale").asBoolean()).isTrue();
    }

    @Test
    void readyIs503UntilTheNodeIsReady() {
        node.ready = false;
        var r = client.get("/ready");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.error()).contains("not ready");
        node.ready = true;
        assertThat(client.get("/ready").status()).isEqualTo(200);
        assertThat(client.get("/live").status()).isEqualTo(200);
    }

    @Test
    void unknownEndpointIsJson404() {
        var r = client.get("/nope");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.error()).isNotBlank();
    }

    @Test
    void nonLoopbackCallerWithoutTokenConfigIs403AndChangesNothing() {
        server.close();
        server = start(DataPlaneOptions.of("127.0.0.1", 0, 1024, Optional.empty(), Duration.ofSeconds(1))
                .withLoopbackCheck(address -> false));
        client = new HttpTestClient(server.port());
        var r = client.post("/routing/weights", "{\"weights\":{\"v1\":0.9,\"v2\":0.1}}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.error()).contains("loopback");
        assertThat(node.state().version()).isEqualTo(1);
        assertThat(client.post("/predict", null).status()).isEqualTo(200);
    }

    @Test
    void healthShowsThisNodesNumbersPerVersion() {
        var r = client.get("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("node").asText()).isEqualTo("node-a");
        assertThat(r.json().get("windowMs").asLong()).isEqualTo(30_000);
        var v1 = r.json().get("versions").get("v1");
        assertThat(v1.get("requests").asLong()).isEqualTo(3);
        assertThat(v1.get("errors").asLong()).isEqualTo(1);
        assertThat(v1.get("errorRate").asDouble()).isEqualTo(0.333333);
        assertThat(v1.get("p50Ms").asDouble()).isCloseTo(5.0, org.assertj.core.data.Offset.offset(0.2));
        assertThat(v1.get("p99Ms").asDouble()).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.7));
    }

    @Test
    void clusterHealthShowsMergedNumbersAndTheNodesMerged() {
        var r = client.get("/health/cluster");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("nodes")).hasSize(2);
        assertThat(r.json().get("versions").get("v1").get("requests").asLong()).isEqualTo(6);
    }

    @Test
    void metricsAreCumulativePrometheusText() {
        client.post("/predict", null);
        var r = client.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        // The histogram counts what this data plane served since start (one request); the fake
        // node's health window (3 requests: 5 ms, 5 ms, 20 ms) shows up as gauges of its own.
        assertThat(r.body())
                .contains("# TYPE canary_request_latency_seconds histogram")
                .contains("canary_routing_weight{node=\"node-a\",version=\"v1\"} 1\n")
                .contains("canary_routing_weight{node=\"node-a\",version=\"v2\"} 0\n")
                .contains("canary_requests_total{node=\"node-a\",version=\"v1\"} 1\n")
                .contains("canary_request_latency_seconds_bucket{node=\"node-a\",version=\"v1\",le=\"+Inf\"} 1\n")
                .contains("canary_request_latency_seconds_count{node=\"node-a\",version=\"v1\"} 1\n")
                .contains("# TYPE canary_window_requests gauge")
                .contains("canary_window_requests{node=\"node-a\",version=\"v1\"} 3\n")
                .contains("canary_window_errors{node=\"node-a\",version=\"v1\"} 1\n")
                .contains("# TYPE canary_window_latency_p99_seconds gauge")
                .contains("canary_window_latency_p99_seconds{node=\"node-a\",version=\"v1\"} 0.02")
                .contains("canary_coordinator{node=\"node-a\"} 1\n")
                .contains("canary_commits_total{node=\"node-a\"} 0\n");
    }

    @Test
    void theDashboardIsServedFromTheJarAtTheRoot() {
        var page = client.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<title>Canary dashboard</title>").contains("/dashboard/dashboard.js")
                .doesNotContain("https://");
        var js = client.get("/dashboard/dashboard.js");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        assertThat(js.body()).contains("/routing/state").contains("/rollout/").doesNotContain("https://");
        assertThat(client.get("/dashboard/dashboard.css").status()).isEqualTo(200);
        var missing = client.get("/dashboard/nope.js");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.error()).isEqualTo("no such dashboard file: nope.js");
    }
}
