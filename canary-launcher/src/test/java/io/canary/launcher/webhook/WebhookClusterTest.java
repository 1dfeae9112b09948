package io.canary.launcher.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.launcher.http.HttpTestClient;
import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.node.InProcessCluster;
import io.canary.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes post to two receivers: one that answers and one that hangs. The answering one gets
 * every rollout event once (from the coordinator), in order and signed; the hanging one slows down
 * neither the protocol nor the data plane, and its queue is bounded (drops are counted).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SECRET = "webhook-secret";

    @TempDir
    static Path dir;

    private WebhookReceiver receiver;
    private WebhookReceiver hanging;
    private InProcessCluster cluster;
    private HttpTestClient nodeB;

    @BeforeAll
    void start() {
        receiver = WebhookReceiver.start();
        hanging = WebhookReceiver.hanging();
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        models.put("v1", new ModelSpec.Demo(Duration.ofMillis(1), 0));
        models.put("v2", new ModelSpec.Demo(Duration.ofMillis(1), 0));
        NodeConfig timings = NodeConfig.custom()
                .heartbeatInterval(Duration.ofMillis(100)).peerTimeout(Duration.ofMillis(800))
                .prepareTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(4))
                .healthInterval(Duration.ofMillis(200)).syncTimeout(Duration.ofSeconds(2)).build();
        WebhookSettings hooks = WebhookSettings.of(List.of(receiver.url(), hanging.url()), Optional.of(SECRET))
                .withQueueCapacity(4).withRetries(3, Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(60));
        cluster = InProcessCluster.builder().dataDir(dir).models(models).nodeConfig(timings).webhooks(hooks).start();
        Map<String, String> urls = cluster.dataUrls();
        nodeB = new HttpTestClient(urls.get("node-b"));
        urls.values().forEach(u -> await().atMost(WAIT).until(() -> new HttpTestClient(u).get("/ready").status() == 200));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        receiver.close();
        hanging.close();
    }

    private long timedPost(String path, String body) {
        long start = System.nanoTime();
        var r = nodeB.post(path, body);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
        return ms;
    }

    private void awaitEvent(String type) {
        await().atMost(WAIT).until(() -> receiver.types().contains(type));
    }

    @Test
    void aRolloutsEventsArriveOnceInOrderSignedWhileAnotherReceiverHangs() {
        long slowest = 0;
        slowest = Math.max(slowest, timedPost("/rollout", "{\"canary\":\"v2\",\"steps\":[10,50,100],\"interval\":\"500ms\",\"minRequests\":100000}"));
        awaitEvent("rollout.started");
        // No traffic: every analysis holds, "too little traffic"; the hold is announced with its evidence.
        awaitEvent("rollout.held");
        slowest = Math.max(slowest, timedPost("/rollout/pause", "{}"));
        awaitEvent("rollout.paused");
        slowest = Math.max(slowest, timedPost("/rollout/resume", "{}"));
        awaitEvent("rollout.resumed");
        slowest = Math.max(slowest, timedPost("/rollout/promote", "{}"));
        awaitEvent("rollout.step_promoted");
        slowest = Math.max(slowest, timedPost("/rollout/promote", "{}"));
        awaitEvent("rollout.completed");
        slowest = Math.max(slowest, timedPost("/rollout", "{\"canary\":\"v1\",\"steps\":[10,100],\"interval\":\"1h\"}"));
        slowest = Math.max(slowest, timedPost("/rollout/abort", "{}"));
        awaitEvent("rollout.aborted");
        // Nothing more arrives late (a second node posting the same events would).
        int count = receiver.deliveries.size();
        await().pollDelay(Duration.ofMillis(1500)).atMost(WAIT).until(() -> true);

        // Start-up's coordinator/fail-safe events (every node starts fail-safe until elected or synced) are not rollout events.
        List<String> withoutHolds = receiver.types().stream().filter(t -> t.startsWith("rollout.") && !t.equals("rollout.held"))
                .toList();
        assertThat(withoutHolds).containsExactly("rollout.started", "rollout.paused", "rollout.resumed",
                "rollout.step_promoted", "rollout.completed", "rollout.started", "rollout.aborted");
        assertThat(receiver.deliveries.size()).as("no late duplicates").isEqualTo(count);
        for (WebhookReceiver.Delivery d : receiver.deliveries) {
            if (!d.type().startsWith("rollout.")) {
                continue;
            }
            assertThat(d.signature()).isEqualTo(WebhookDispatcher.signature(SECRET, d.raw()));
            assertThat(d.body().get("node").asText()).as("posted by the coordinator").isEqualTo("node-a");
            assertThat(d.body().get("text").asText()).startsWith("[canary node-a] rollout ");
        }
        WebhookReceiver.Delivery held = receiver.deliveries.stream().filter(d -> d.type().equals("rollout.held")).findFirst().orElseThrow();
        assertThat(held.body().get("reason").asText()).isNotBlank();
        assertThat(held.body().get("verdict").get("decision").asText()).isEqualTo("HOLD");
        assertThat(held.body().get("rollout").get("canary").asText()).isEqualTo("v2");
        WebhookReceiver.Delivery promoted = receiver.deliveries.stream().filter(d -> d.type().equals("rollout.step_promoted")).findFirst().orElseThrow();
        assertThat(promoted.body().get("rollout").get("percent").asInt()).isEqualTo(50);

        // The hanging receiver holds one request and its queue of 4 overflowed; the protocol never waited for it:
        // a call that waited would take the hanging receiver's 60 s attempt timeout. The bound leaves room for
        // a commit's fsyncs on a loaded 2-core machine (3.7 s seen at load 25), far below those 60 s.
        assertThat(slowest).as("slowest rollout call with a hanging webhook, ms").isLessThan(15_000);
        assertThat(nodeB.post("/predict", "{}").status()).isEqualTo(200);
        String metrics = new HttpTestClient(cluster.dataUrls().get("node-a")).get("/metrics").body();
        assertThat(metrics).contains("canary_webhook_events_total{node=\"node-a\",endpoint=\"" + receiver.url() + "\",outcome=\"delivered\"} "
                + receiver.deliveries.stream().filter(d -> d.body().get("node").asText().equals("node-a")).count() + "\n");
        assertThat(dropped(metrics, hanging.url().toString())).isPositive();
    }

    private static long dropped(String metrics, String endpoint) {
        String series = "canary_webhook_events_total{node=\"node-a\",endpoint=\"" + endpoint + "\",outcome=\"dropped\"} ";
        return metrics.lines().filter(l -> l.startsWith(series)).mapToLong(l -> Long.parseLong(l.substring(series.length()))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + series + " in " + metrics));
    }
}
