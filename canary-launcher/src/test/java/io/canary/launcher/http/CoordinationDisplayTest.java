package io.canary.launcher.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CoordinationStatus;
import io.canary.launcher.http.api.StateView;
import io.canary.launcher.model.ModelBackend;
import io.canary.launcher.model.ModelSpec;
import io.canary.model.Weights;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who coordinates, the term and fail-safe routing, as {@code /routing/state}, {@code /cluster} and {@code /metrics} show them. */
class CoordinationDisplayTest {
    private final FakeNode node = new FakeNode();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private DataPlaneServer server;
    private HttpTestClient client;

    @BeforeEach
    void start() {
        Map<String, ModelBackend> models = new LinkedHashMap<>();
        org.eclipse.jetty.client.HttpClient http = null; // demo models only: no HTTP client needed
        models.put("v1", ModelBackend.create("v1", new ModelSpec.Demo(Duration.ZERO, 0), timer, http));
        models.put("v2", ModelBackend.create("v2", new ModelSpec.Demo(Duration.ZERO, 0), timer, http));
        server = DataPlaneServer.start(DataPlaneOptions.of("127.0.0.1", 0, 1024, Optional.empty(), Duration.ofSeconds(1)),
                node, models);
        client = new HttpTestClient(server.port());
        node.state.set(node.state.get().next(Weights.split("v1", "v2", 25), "v1", node.state.get().rollout(), 7, 1_000));
    }

    @AfterEach
    void stop() {
        server.close();
        timer.shutdownNow();
    }

    @Test
    void aCurrentNodeRoutesOnTheCommittedWeightsAndNamesItsCoordinatorAndTerm() {
        node.coordination = new CoordinationStatus(Optional.of("node-b"), 3, false, "");

        var state = client.get("/routing/state").json();
        assertThat(state.get("routed").get("v2").asDouble()).isEqualTo(0.25);
        assertThat(state.get("failSafe").asBoolean()).isFalse();
        assertThat(state.has("term")).as("per-node views stay out of the committed state").isFalse();

        var cluster = client.get("/cluster").json();
        assertThat(cluster.get("coordinator").asText()).as("from the coordination status, not the static role").isEqualTo("node-b");
        assertThat(cluster.get("term").asLong()).isEqualTo(3);
        assertThat(cluster.get("failSafe").asBoolean()).isFalse();

        assertThat(client.get("/metrics").body()).contains("canary_coordination_term{node=\"node-a\"} 3\n")
                .contains("canary_coordinator{node=\"node-a\"} 0\n")
                .contains("canary_fail_safe{node=\"node-a\"} 0\n");
    }

    @Test
    void aFailSafeNodeSaysSoAndWhyAndRoutesEverythingToTheBaseline() {
        node.coordination = new CoordinationStatus(Optional.empty(), 4, true, "no majority-backed coordinator for 4s");

        var state = client.get("/routing/state").json();
        assertThat(state.get("weights").get("v2").asDouble()).as("the committed share is unchanged").isEqualTo(0.25);
        assertThat(state.get("routed").get("v2").asDouble()).isZero();
        assertThat(state.get("routed").get("v1").asDouble()).isEqualTo(1.0);
        assertThat(state.get("failSafe").asBoolean()).isTrue();
        assertThat(state.get("failSafeReason").asText()).isEqualTo("no majority-backed coordinator for 4s");

        var cluster = client.get("/cluster").json();
        assertThat(cluster.get("failSafe").asBoolean()).isTrue();
        assertThat(cluster.get("failSafeReason").asText()).isEqualTo("no majority-backed coordinator for 4s");
        assertThat(cluster.get("term").asLong()).isEqualTo(4);

        assertThat(client.get("/metrics").body()).contains("canary_fail_safe{node=\"node-a\"} 1\n")
                .contains("canary_coordination_term{node=\"node-a\"} 4\n");
    }

    @Test
    void anAmnesiacNodeNamesTheMembersItWaitsForInClusterAndWhyInItsFailSafeReason() throws Exception {
        String reason = "amnesiac (empty or restored log): waiting to hear node-c before it votes or serves the canary:"
                + " start node-c, or replace it by starting a node named node-c on an empty data dir";
        node.coordination = new CoordinationStatus(Optional.empty(), 2, true, reason, java.util.List.of("node-c"));

        var cluster = client.get("/cluster").json();
        assertThat(cluster.get("waitingFor").isArray()).isTrue();
        assertThat(cluster.get("waitingFor").get(0).asText()).isEqualTo("node-c");
        assertThat(cluster.get("failSafeReason").asText()).isEqualTo(reason);
        assertThat(client.get("/routing/state").json().get("routed").get("v2").asDouble()).isZero();
        io.canary.launcher.http.api.ClusterView read = io.canary.launcher.client.DataPlaneClient.json()
                .readValue(client.get("/cluster").body(), io.canary.launcher.http.api.ClusterView.class);
        assertThat(read.waitingFor()).containsExactly("node-c");

        node.coordination = new CoordinationStatus(Optional.of("node-b"), 3, false, "");
        assertThat(client.get("/cluster").json().get("waitingFor")).as("a current node waits for nobody").isEmpty();
    }

    @Test
    void theClientReadsTheStateItIsServed() throws Exception {
        node.coordination = new CoordinationStatus(Optional.of("node-c"), 2, true, "restarted; learning the state");
        String body = client.get("/routing/state").body();

        StateView read = io.canary.launcher.client.DataPlaneClient.json().readValue(body, StateView.class);

        assertThat(read).isEqualTo(StateView.of(node.state.get(), node.coordination));
        assertThat(read.failSafe()).isTrue();
        assertThat(read.agreementKey()).as("agreement is on the committed state only")
                .isEqualTo(StateView.of(node.state.get()).agreementKey());
    }
}
