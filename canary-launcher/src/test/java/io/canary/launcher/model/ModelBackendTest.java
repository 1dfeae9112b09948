package io.canary.launcher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.launcher.proxy.UpstreamClients;
import io.canary.launcher.testing.StubBackend;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelBackendTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final HttpClient http = UpstreamClients.started("test-models");
    private StubBackend backend;

    @AfterEach
    void stop() {
        timer.shutdownNow();
        UpstreamClients.stop(http);
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void demoLatencyIsLogNormalAroundTheMedianAndCapped() {
        DemoModel m = new DemoModel("v1", new ModelSpec.Demo(Duration.ofMillis(100), 0), timer);
        assertThat(m.sampleLatencyNanos(0)).isEqualTo(100_000_000);
        assertThat(m.sampleLatencyNanos(2)).isBetween(160_000_000L, 170_000_000L);
        assertThat(m.sampleLatencyNanos(-2)).isBetween(60_000_000L, 61_000_000L);
        assertThat(m.sampleLatencyNanos(100)).isEqualTo(500_000_000);
    }

    @Test
    void demoModelAnswersWithoutBlockingTheCaller() throws Exception {
        ModelBackend m = ModelBackend.create("v2", new ModelSpec.Demo(Duration.ofSeconds(30), 0), timer, http);
        CompletableFuture<JsonNode> f = m.predict(null);
        assertThat(f).isNotDone();
        ModelBackend fast = ModelBackend.create("v2", new ModelSpec.Demo(Duration.ZERO, 0), timer, http);
        assertThat(fast.predict(null).get(5, TimeUnit.SECONDS).get("model").asText()).isEqualTo("v2");
    }

    @Test
    void demoModelWithErrorRateOneAlwaysFails() {
        ModelBackend m = ModelBackend.create("v2", new ModelSpec.Demo(Duration.ZERO, 1.0), timer, http);
        assertThatThrownBy(() -> m.predict(null).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ModelException.class)
                .hasRootCauseMessage("simulated failure of v2");
    }

    @Test
    void httpModelPostsTheInputAndReturnsTheJsonAnswer() throws Exception {
        int port = serve(200, "{\"label\":\"cat\"}");
        ModelBackend m = ModelBackend.create("v2",
                new ModelSpec.Http(URI.create("http://127.0.0.1:" + port + "/predict"), Duration.ofSeconds(5)), timer, http);
        JsonNode out = m.predict(new ObjectMapper().readTree("{\"x\":1}")).get(5, TimeUnit.SECONDS);
        assertThat(out.get("label").asText()).isEqualTo("cat");
        assertThat(backend.lastBody()).isEqualTo("{\"x\":1}");
    }

    @Test
    void httpModelNon2xxIsAModelException() throws IOException {
        int port = serve(500, "boom");
        ModelBackend m = ModelBackend.create("v2",
                new ModelSpec.Http(URI.create("http://127.0.0.1:" + port + "/p"), Duration.ofSeconds(5)), timer, http);
        assertThatThrownBy(() -> m.predict(null).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ModelException.class)
                .hasRootCauseMessage("backend of v2 at http://127.0.0.1:" + port + "/p answered HTTP 500");
    }

    @Test
    void httpModelUnreachableIsAModelException() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ModelBackend m = ModelBackend.create("v2",
                new ModelSpec.Http(URI.create("http://127.0.0.1:" + port + "/p"), Duration.ofSeconds(5)), timer, http);
        assertThatThrownBy(() -> m.predict(null).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ModelException.class)
                .rootCause().hasMessageContaining("backend of v2 at http://127.0.0.1:" + port + "/p");
    }

    private int serve(int status, String body) {
        backend = StubBackend.answering(status, body);
        return backend.port();
    }
}
