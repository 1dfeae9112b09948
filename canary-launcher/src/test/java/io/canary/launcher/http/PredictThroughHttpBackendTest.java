package io.canary.launcher.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.launcher.testing.StubBackend;
import io.canary.launcher.model.ModelBackend;
import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.proxy.UpstreamClients;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code POST /predict} proxied to real HTTP backends (stubs on 127.0.0.1), called on the Jetty thread. */
class PredictThroughHttpBackendTest {
    private final FakeNode node = new FakeNode();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private StubBackend backend;
    private DataPlaneServer server;
    private org.eclipse.jetty.client.HttpClient http;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (backend != null) {
            backend.close();
        }
        timer.shutdownNow();
        if (http != null) {
            UpstreamClients.stop(http);
        }
    }

    @Test
    void backendJsonIsTheOutputVerbatimWithTheVersionAndIsRecordedAsSuccess() {
        HttpTestClient client = serveThrough(200, "{\"label\":\"cat\",\"p\":[0.5,1e-3]}\n");
        var r = client.post("/predict", "{\"key\":\"k\",\"input\":{\"x\":1}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Canary-Version")).contains("v1");
        assertThat(r.json().get("version").asText()).isEqualTo("v1");
        assertThat(r.json().get("node").asText()).isEqualTo("node-a");
        assertThat(r.json().get("output").get("label").asText()).isEqualTo("cat");
        assertThat(r.body()).contains("\"output\":{\"label\":\"cat\",\"p\":[0.5,1e-3]},\"latencyMs\":");
        assertThat(r.json().get("latencyMs").asDouble()).isPositive();
        assertThat(backend.lastBody()).isEqualTo("{\"x\":1}");
        assertThat(node.recorded.get("v1")).containsExactly(1, 0);
    }

    @Test
    void backendAnswerThatIsNotOneJsonValueBecomesAJsonString() {
        HttpTestClient client = serveThrough(200, "cat {");
        var r = client.post("/predict", "{}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("output").asText()).isEqualTo("cat {");
    }

    @Test
    void backendNon2xxIs502NamingTheBackendAndCountsAsError() {
        HttpTestClient client = serveThrough(503, "{\"busy\":true}");
        var r = client.post("/predict", "{}");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.headers().firstValue("X-Canary-Version")).contains("v1");
        assertThat(r.json().get("version").asText()).isEqualTo("v1");
        assertThat(r.error()).isEqualTo("backend of v1 at http://127.0.0.1:" + backend.port()
                + "/predict answered HTTP 503");
        assertThat(node.recorded.get("v1")).containsExactly(1, 1);
    }

    private HttpTestClient serveThrough(int status, String body) {
        backend = StubBackend.answering(status, body);
        URI uri = URI.create("http://127.0.0.1:" + backend.port() + "/predict");
        http = UpstreamClients.started("test-predict");
        ModelBackend v1 = ModelBackend.create("v1", new ModelSpec.Http(uri, Duration.ofSeconds(5)), timer, http);
        server = DataPlaneServer.start(DataPlaneOptions.of("127.0.0.1", 0, 1024, Optional.empty(), Duration.ofSeconds(1)),
                node, Map.of("v1", v1));
        return new HttpTestClient(server.port());
    }
}
