package io.canary.launcher.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.launcher.model.ModelBackend;
import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.testing.StubBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The data port's Netty front (the default): {@code POST /predict} served on its event loops with
 * HTTP models called through its own client (the same envelope and errors as the Javalin route),
 * every other endpoint relayed to the API in order, and the caller's address the front saw, never
 * one a client claims, given to the admin check.
 */
class DataPortFrontTest {
    private final FakeNode node = new FakeNode();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private DataPlaneServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        for (AutoCloseable c : closing) {
            c.close();
        }
        timer.shutdownNow();
    }

    private HttpTestClient serve(Map<String, ModelSpec> specs, DataPlaneOptions options) {
        Map<String, ModelBackend> models = new LinkedHashMap<>();
        // The Jetty client is only what the Javalin route would use: the front calls http:// models itself.
        org.eclipse.jetty.client.HttpClient http = io.canary.launcher.proxy.UpstreamClients.started("test-front");
        closing.add(() -> io.canary.launcher.proxy.UpstreamClients.stop(http));
        specs.forEach((v, spec) -> models.put(v, ModelBackend.create(v, spec, timer, http)));
        server = DataPlaneServer.start(options, node, models);
        return new HttpTestClient(server.port());
    }

    private HttpTestClient serve(Map<String, ModelSpec> specs) {
        return serve(specs, DataPlaneOptions.of("127.0.0.1", 0, 1024, Optional.empty(), Duration.ofSeconds(1)));
    }

    private static ModelSpec.Http at(int port, Duration timeout) {
        return new ModelSpec.Http(URI.create("http://127.0.0.1:" + port + "/predict"), timeout);
    }

    @Test
    void predictThroughTheFrontCallsTheHttpModelAndAnswersTheEnvelope() {
        StubBackend backend = StubBackend.answering(200, "{\"label\":\"cat\"}");
        closing.add(backend);
        HttpTestClient client = serve(Map.of("v1", at(backend.port(), Duration.ofSeconds(5))));
        for (int i = 0; i < 20; i++) { // keep-alive: the front's pooled connection to the model is reused
            var r = client.post("/predict", "{\"key\":\"k" + i + "\",\"input\":[1,2," + i + "]}");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Canary-Version")).contains("v1");
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            assertThat(r.body()).startsWith("{\"version\":\"v1\",\"node\":\"node-a\",\"output\":{\"label\":\"cat\"},\"latencyMs\":");
            assertThat(backend.lastBody()).isEqualTo("[1,2," + i + "]");
        }
        assertThat(node.recorded.get("v1")).containsExactly(20, 0);
    }

    @Test
    void aRefusingOrHangingModelIs502NamingTheBackendAndCountsAsError() throws Exception {
        int refused;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            refused = s.getLocalPort();
        }
        ServerSocket hanging = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        closing.add(hanging);
        Map<String, ModelSpec> specs = new LinkedHashMap<>();
        specs.put("v1", at(refused, Duration.ofSeconds(5)));
        specs.put("v2", at(hanging.getLocalPort(), Duration.ofMillis(300)));
        HttpTestClient client = serve(specs);

        var r = client.post("/predict", "{}");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.json().get("version").asText()).isEqualTo("v1");
        assertThat(r.error()).isEqualTo("backend of v1 at http://127.0.0.1:" + refused + "/predict is unreachable (connection refused)");

        node.routeTo = "v2";
        long start = System.nanoTime();
        r = client.post("/predict", "{}");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.headers().firstValue("X-Canary-Version")).contains("v2");
        assertThat(r.error()).isEqualTo("backend of v2 at http://127.0.0.1:" + hanging.getLocalPort()
                + "/predict did not answer within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(node.recorded.get("v1")).containsExactly(1, 1);
        assertThat(node.recorded.get("v2")).containsExactly(1, 1);
    }

    @Test
    void badBodiesAreTheApisOwn400And413() {
        HttpTestClient client = serve(Map.of("v1", new ModelSpec.Demo(Duration.ZERO, 0)));
        var malformed = client.post("/predict", "{\"input\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.error()).startsWith("malformed JSON");
        var unknown = client.post("/predict", "{\"inptu\":1}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.error()).startsWith("unknown field 'inptu'");
        var big = client.post("/predict", "{\"input\":\"" + "x".repeat(2_000) + "\"}");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.error()).isEqualTo("request body larger than 1024 bytes");
        assertThat(node.recorded).isEmpty();
    }

    @Test
    void pipelinedPredictAndApiRequestsAreAnsweredInOrder() throws Exception {
        serve(Map.of("v1", new ModelSpec.Demo(Duration.ofMillis(200), 0)));
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            String predict = "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
            s.getOutputStream().write((predict + "GET /live HTTP/1.1\r\nHost: x\r\n\r\n" + predict
                    + "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String all = readAll(s.getInputStream());
            int first = all.indexOf("\"output\"");
            int live = all.indexOf("\"live\":true");
            int second = all.indexOf("\"output\"", live);
            int missing = all.indexOf("HTTP/1.1 404");
            assertThat(first).isPositive();
            assertThat(live).isGreaterThan(first);
            assertThat(second).isGreaterThan(live);
            assertThat(missing).isGreaterThan(second);
        }
    }

    @Test
    void theAdminCheckSeesTheAddressTheFrontSawNotOneTheClientClaims() {
        // Only 10.1.2.3 counts as local here; the test's client is 127.0.0.1 and claims to be 10.1.2.3.
        HttpTestClient client = serve(Map.of("v1", new ModelSpec.Demo(Duration.ZERO, 0)),
                DataPlaneOptions.of("127.0.0.1", 0, 1024, Optional.empty(), Duration.ofSeconds(1))
                        .withLoopbackCheck("10.1.2.3"::equals));
        var r = client.post("/routing/weights", "{\"weights\":{\"v1\":0.9,\"v2\":0.1}}", FrontConnection.PEER_HEADER, "10.1.2.3");
        assertThat(r.status()).isEqualTo(403);
        assertThat(node.state().version()).isEqualTo(1);
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
