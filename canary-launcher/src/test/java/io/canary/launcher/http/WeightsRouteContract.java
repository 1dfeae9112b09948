package io.canary.launcher.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.launcher.model.ModelBackend;
import io.canary.launcher.model.ModelSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@code POST /routing/weights}, run once per data port: on the Netty front, which serves
 * it on its event loops ({@link NettyWeights}), and on Javalin alone ({@code -Dcanary.predict.engine=javalin},
 * {@link ProposalHandlers}). The same requests get the same answers, word for word: the admin check, the
 * 4xx for bad input, 200 with the committed version, 409/504, and "superseded" for a coalesced weight set.
 */
abstract class WeightsRouteContract {
    private static final String BODY = "{\"weights\":{\"v1\":0.9,\"v2\":0.1}}";
    final FakeNode node = new FakeNode();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private DataPlaneServer server;
    private HttpTestClient client;

    /** Whether the data port is the Netty front (else Javalin itself). */
    abstract boolean front();

    private HttpTestClient serve(DataPlaneOptions options) {
        if (server != null) {
            server.close();
        }
        Map<String, ModelBackend> models = new LinkedHashMap<>();
        models.put("v1", ModelBackend.create("v1", new ModelSpec.Demo(Duration.ZERO, 0), timer, null));
        models.put("v2", ModelBackend.create("v2", new ModelSpec.Demo(Duration.ZERO, 0), timer, null));
        server = DataPlaneServer.start(options, node, models, new NodeCounters(), front());
        client = new HttpTestClient(server.port());
        return client;
    }

    private HttpTestClient serve() {
        return serve(DataPlaneOptions.of("127.0.0.1", 0, 1024, Optional.empty(), Duration.ofSeconds(1)));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        timer.shutdownNow();
    }

    @Test
    void aWeightChangeIs200WithTheCommittedVersionAndNothingSuperseded() {
        var r = serve().post("/routing/weights", BODY);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(r.json().get("version").asLong()).isEqualTo(2);
        assertThat(r.json().get("status").asText()).isEqualTo("COMMITTED");
        assertThat(r.json().get("weights").get("v2").asDouble()).isEqualTo(0.1);
        assertThat(r.json().get("routed").get("v2").asDouble()).isEqualTo(0.1);
        assertThat(r.json().has("supersededBy")).isFalse();
        assertThat(client.get("/routing/state").json().get("version").asLong()).isEqualTo(2);
        assertThat(client.get("/routing/state").json().has("supersededBy")).isFalse();
    }

    @Test
    void aCoalescedWeightSetIsToldItWasSupersededAndWhichVersionCarriesIt() throws Exception {
        HttpTestClient c = serve();
        node.coalescePairs = true;
        CompletableFuture<HttpTestClient.Response> first = CompletableFuture.supplyAsync(
                () -> c.post("/routing/weights", "{\"weights\":{\"v1\":0.8,\"v2\":0.2}}"));
        await().atMost(Duration.ofSeconds(10)).until(node::holding);
        var second = c.post("/routing/weights", "{\"weights\":{\"v1\":0.7,\"v2\":0.3}}");
        var early = first.get();
        assertThat(second.status()).isEqualTo(200);
        assertThat(early.status()).isEqualTo(200);
        assertThat(early.json().get("version").asLong()).isEqualTo(2).isEqualTo(second.json().get("version").asLong());
        assertThat(early.json().get("supersededBy").asText()).isEqualTo("weights {v1=0.7, v2=0.3}");
        assertThat(early.json().get("weights").get("v2").asDouble()).isEqualTo(0.3);
        assertThat(second.json().has("supersededBy")).isFalse();
    }

    @Test
    void anAbortIs409WithTheReasonAndAnUnknownOutcome504() {
        serve();
        node.refuseWith("node-c voted NO: shutting down");
        var aborted = client.post("/routing/weights", BODY);
        assertThat(aborted.status()).isEqualTo(409);
        assertThat(aborted.error()).isEqualTo("node-c voted NO: shutting down");
        node.timeOutWith("coordinator node-a did not answer within 10s");
        var unknown = client.post("/routing/weights", BODY);
        assertThat(unknown.status()).isEqualTo(504);
        assertThat(unknown.error()).isEqualTo("coordinator node-a did not answer within 10s");
    }

    @Test
    void noOutcomeWithinTheAnswerDeadlineIs504() {
        serve();
        node.neverAnswer = true;
        var r = client.post("/routing/weights", BODY);
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.error()).isEqualTo("no decision in time");
    }

    @Test
    void badInputIs400SayingWhatIsWrongAndChangesNothing() {
        serve();
        assertError(client.post("/routing/weights", "{\"weights\":{\"v1\":0.9,\"v2\":0.2}}"), 400, "invalid weights: ");
        assertThat(client.post("/routing/weights", "{\"weights\":{\"v1\":0.9,\"v2\":0.2}}").error()).contains("must sum to 1");
        assertThat(client.post("/routing/weights", "{\"weights\":{\"v1\":1.5,\"v2\":-0.5}}").status()).isEqualTo(400);
        assertError(client.post("/routing/weights", "{\"weights\":{\"v1\":0.9,\"v9\":0.1}}"), 400,
                "weights name unknown version v9 (this node serves v1, v2)");
        assertError(client.post("/routing/weights", "{\"weights\":{\"v1\":1,\"v2\":0}"), 400,
                "malformed JSON: Unexpected end-of-input: expected close marker for Object (line 1, column 27)");
        assertError(client.post("/routing/weights", "[1,2]"), 400,
                "request body must be a JSON object, e.g. {\"weights\":{\"v1\":0.9,\"v2\":0.1}}");
        assertError(client.post("/routing/weights", "{\"weight\":{\"v1\":1.0}}"), 400, "unknown field 'weight' (known: weights)");
        assertError(client.post("/routing/weights", "{\"weights\":{\"v1\":\"lots\"}}"), 400, "field 'weights.v1'");
        assertError(client.post("/routing/weights", ""), 400, "expected a body like {\"weights\":{\"v1\":0.9,\"v2\":0.1}}");
        assertError(client.post("/routing/weights", "{\"weights\":null}"), 400, "expected a body like");
        assertError(client.post("/routing/weights", "{\"weights\":{}}"), 400, "invalid weights: ");
        assertThat(node.state().version()).isEqualTo(1);
    }

    @Test
    void anOversizedBodyIs413AndChangesNothing() {
        serve();
        var r = client.post("/routing/weights", "{\"weights\":{\"v1\":1.0},\"pad\":\"" + "x".repeat(2_000) + "\"}");
        assertError(r, 413, "request body larger than 1024 bytes");
        assertThat(node.state().version()).isEqualTo(1);
    }

    @Test
    void withoutATokenConfiguredOnlyLoopbackCallersMayChangeWeights() {
        serve(DataPlaneOptions.of("127.0.0.1", 0, 1024, Optional.empty(), Duration.ofSeconds(1)).withLoopbackCheck(a -> false));
        var r = client.post("/routing/weights", BODY);
        assertError(r, 403, "changes are accepted from loopback callers only; configure an admin token");
        // Bad input from a refused caller is refused for who it is, before its body is read.
        assertThat(client.post("/routing/weights", "{").status()).isEqualTo(403);
        assertThat(node.state().version()).isEqualTo(1);
    }

    @Test
    void aClaimedPeerAddressIsNeverBelieved() {
        // Only 10.1.2.3 counts as local; the client is 127.0.0.1 and claims to be 10.1.2.3.
        serve(DataPlaneOptions.of("127.0.0.1", 0, 1024, Optional.empty(), Duration.ofSeconds(1))
                .withLoopbackCheck("10.1.2.3"::equals));
        assertThat(client.post("/routing/weights", BODY, FrontConnection.PEER_HEADER, "10.1.2.3").status()).isEqualTo(403);
        assertThat(client.post("/routing/weights?x=1", BODY, FrontConnection.PEER_HEADER, "10.1.2.3").status()).isEqualTo(403);
        assertThat(client.post("/rollout/pause", null, FrontConnection.PEER_HEADER, "10.1.2.3").status()).isEqualTo(403);
        assertThat(node.state().version()).isEqualTo(1);
    }

    @Test
    void withATokenConfiguredMissingOrWrongTokensAre401AndTheRightOneWorks() {
        serve(DataPlaneOptions.of("127.0.0.1", 0, 1024, Optional.of("s3cret"), Duration.ofSeconds(1)));
        assertError(client.post("/routing/weights", BODY), 401, "this node requires 'Authorization: Bearer <admin token>' for changes");
        assertError(client.post("/routing/weights", BODY, "Authorization", "Bearer guess"), 401, "the admin token is wrong");
        assertError(client.post("/routing/weights", BODY, "Authorization", "Bearer s3cre"), 401, "the admin token is wrong");
        assertError(client.post("/routing/weights", BODY, "Authorization", "Basic czNjcmV0"), 401, "this node requires");
        assertThat(client.post("/routing/weights", "{", "Authorization", "Bearer guess").status()).isEqualTo(401);
        assertThat(node.state().version()).isEqualTo(1);
        var right = client.post("/routing/weights", BODY, "Authorization", "Bearer s3cret");
        assertThat(right.status()).isEqualTo(200);
        assertThat(right.json().get("version").asLong()).isEqualTo(2);
        assertThat(client.post("/routing/weights", BODY, "authorization", "bearer s3cret").status()).isEqualTo(200);
    }

    @Test
    void pipelinedWeightChangesAndOtherRequestsAreAnsweredInOrder() throws Exception {
        serve();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            String post = "POST /routing/weights HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + BODY.length() + "\r\n\r\n" + BODY;
            s.getOutputStream().write((post + "GET /routing/state HTTP/1.1\r\nHost: x\r\n\r\n" + post
                    + "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.getInputStream().transferTo(out);
            String all = out.toString(StandardCharsets.UTF_8);
            int first = all.indexOf("\"version\":2");
            int state = all.indexOf("\"version\":2", first + 1);
            int second = all.indexOf("\"version\":3");
            int missing = all.indexOf("HTTP/1.1 404");
            assertThat(first).isPositive();
            assertThat(state).isGreaterThan(first);
            assertThat(second).isGreaterThan(state);
            assertThat(missing).isGreaterThan(second);
        }
    }

    private static void assertError(HttpTestClient.Response r, int status, String startsWith) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.error()).startsWith(startsWith).doesNotContain("\tat ").doesNotContain("com.fasterxml");
    }
}
