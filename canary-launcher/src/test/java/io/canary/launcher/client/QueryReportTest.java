package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.launcher.http.api.ClusterView;
import io.canary.launcher.http.api.HealthView;
import io.canary.launcher.http.api.PredictError;
import io.canary.launcher.http.api.PredictOutcome;
import io.canary.launcher.http.api.PredictResponse;
import io.canary.model.RoutingState;
import io.canary.launcher.http.api.RolloutView;
import io.canary.launcher.http.api.StateView;
import io.canary.launcher.http.api.VersionStatsView;
import io.canary.launcher.client.QueryReport.NodeResult;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryReportTest {
    private static final NodeAddress A = new NodeAddress("node-a", URI.create("http://127.0.0.1:50051"));
    private static final NodeAddress B = new NodeAddress("node-b", URI.create("http://127.0.0.1:50052"));

    private static StateView state(long version, double v2) {
        return new StateView(version, RoutingState.Status.COMMITTED, Map.of("v1", 1 - v2, "v2", v2), "v1", 0, 0, RolloutView.NONE);
    }

    private record Named(String version, VersionStatsView stats) {
    }

    private static Named stats(String version, long requests, long errors, double rate, double p50, double p95, double p99) {
        return new Named(version, new VersionStatsView(requests, errors, rate, p50, p95, p99));
    }

    private static HealthView health(Named... stats) {
        Map<String, VersionStatsView> m = new java.util.TreeMap<>();
        for (Named s : stats) {
            m.put(s.version(), s.stats());
        }
        return new HealthView("n", 0, 30_000, m);
    }

    private static PredictOutcome routedTo(String version) {
        return new PredictResponse(version, "n", null, 1);
    }

    @Test
    void eachNodeSaysWhoCoordinatesInWhichTermAndWhetherItIsFailSafe() {
        StateView s = state(4, 0.25);
        StateView failSafe = new StateView(4, s.status(), s.weights(), "v1", 0, 0, RolloutView.NONE,
                Map.of("v1", 1.0, "v2", 0.0), true, "no majority-backed coordinator heard for 4s");
        NodeResult a = new NodeResult(A, s, health(), routedTo("v1"), null,
                new ClusterView("node-a", "node-b", List.of(), 3, false, ""));
        NodeResult b = new NodeResult(B, failSafe, health(), routedTo("v1"), null,
                new ClusterView("node-b", "", List.of(), 3, true, "no majority-backed coordinator heard for 4s"));

        String text = new QueryReport(List.of(a, b)).render();

        assertThat(text).contains("[Node A] Routing State v4\n  Status: COMMITTED\n  Weights: {'v1': 0.75, 'v2': 0.25}\n"
                        + "  Coordinator: node-b (term 3)\n\n")
                .contains("[Node B] Routing State v4\n  Status: COMMITTED\n  Weights: {'v1': 0.75, 'v2': 0.25}\n"
                        + "  Coordinator: none known (election running) (term 3)\n"
                        + "  Fail-safe: routing every request to v1 (no majority-backed coordinator heard for 4s)\n");
        assertThat(new QueryReport(List.of(new NodeResult(A, s, health(), routedTo("v1"), null))).render())
                .as("a node that does not say").doesNotContain("Coordinator:").doesNotContain("Fail-safe");
        assertThat(text).as("nobody waits").doesNotContain("Waiting to hear");

        NodeResult amnesiac = new NodeResult(B, failSafe, health(), routedTo("v1"), null,
                new ClusterView("node-b", "", List.of(), 2, true, "amnesiac", List.of("node-c")));
        assertThat(new QueryReport(List.of(amnesiac)).render()).contains("  Coordinator: none known (election running) (term 2)\n"
                + "  Waiting to hear: node-c (amnesiac: start it, or replace it by starting a node under its name on an empty data dir)\n");
    }

    @Test
    void aHealthyNodePrintsExactlyAsInTheDeploymentGuide() {
        NodeResult a = new NodeResult(A, state(1, 0.0), health(stats("v1", 1000, 100, 0.1, 50, 120, 200)), routedTo("v1"), null);

        String text = new QueryReport(List.of(a)).render();

        assertThat(text).startsWith("""
                ============================================================
                Querying Canary Deployment System State
                ============================================================

                [Node A] Routing State v1
                  Status: COMMITTED
                  Weights: {'v1': 1.0, 'v2': 0.0}

                [Node A] Health Snapshot
                  P95: 120.0ms, Error Rate: 10.00%

                [Node A] Prediction routed to: v1
                """);
        assertThat(text).endsWith("All 1 node agrees: routing state v1, weights {'v1': 1.0, 'v2': 0.0}\n");
    }

    @Test
    void withTrafficOnTwoVersionsEachGetsALineAndTheHeadlineIsTheWorst() {
        HealthView h = health(stats("v1", 900, 9, 0.01, 10, 40, 60), stats("v2", 100, 10, 0.1, 10, 90, 120));

        StringBuilder sb = new StringBuilder();
        QueryReport.renderHealth(sb, h);

        assertThat(sb.toString()).isEqualTo("""
                  P95: 90.0ms, Error Rate: 1.90%
                    v1: P95: 40.0ms, Error Rate: 1.00%, Requests: 900
                    v2: P95: 90.0ms, Error Rate: 10.00%, Requests: 100
                """);
    }

    @Test
    void aNodeWithoutTrafficSaysSo() {
        StringBuilder sb = new StringBuilder();
        QueryReport.renderHealth(sb, health());
        assertThat(sb.toString()).isEqualTo("  P95: 0.0ms, Error Rate: 0.00% (no requests in the last 30s)\n");
    }

    @Test
    void nodesOnDifferentStatesAreReportedAsADisagreement() {
        HealthView h = health();
        QueryReport report = new QueryReport(List.of(
                new NodeResult(A, state(3, 0.25), h, routedTo("v1"), null),
                new NodeResult(B, state(2, 0.05), h, routedTo("v1"), null)));

        assertThat(report.problems()).containsExactly("the nodes disagree on the committed state: "
                + "node-a is at v3 COMMITTED {'v1': 0.75, 'v2': 0.25}; node-b is at v2 COMMITTED {'v1': 0.95, 'v2': 0.05}");
        assertThat(report.render()).contains("PROBLEM: the nodes disagree").doesNotContain("agree:");
    }

    @Test
    void anUnreachableNodeIsShownInItsPlaceAndReported() {
        QueryReport report = new QueryReport(List.of(
                new NodeResult(A, state(1, 0), health(), routedTo("v1"), null),
                NodeResult.unreachable(B, "connection refused")));

        assertThat(report.render()).contains("[Node B] UNREACHABLE at http://127.0.0.1:50052: connection refused");
        assertThat(report.problems()).containsExactly("node-b is unreachable: connection refused");
    }

    @Test
    void aFailedPredictionStillShowsWhereItWasRouted() {
        NodeResult a = new NodeResult(A, state(1, 0), health(), new PredictError("model v2 failed", "v2", "node-a", 0), null);
        assertThat(new QueryReport(List.of(a)).render()).contains("[Node A] Prediction routed to: v2 (the model failed: model v2 failed)");
    }
}
