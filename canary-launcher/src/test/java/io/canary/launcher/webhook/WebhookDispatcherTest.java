package io.canary.launcher.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Delivery to a local receiver: order, signature, retry after the receiver was down, a bounded queue that never blocks. */
class WebhookDispatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static WebhookEvent event(int n) {
        return new WebhookEvent(WebhookEvent.Type.STEP_PROMOTED, "id-" + n, n, "node-a", (long) n, null, null, null,
                null, null, null, "[canary node-a] event " + n);
    }

    private static String metrics(WebhookDispatcher d) {
        StringBuilder out = new StringBuilder();
        d.renderMetrics(out, "node=\"node-a\"");
        return out.toString();
    }

    @Test
    void eventsArriveInOrderWithTheirFieldsATextLineAndAValidSignature() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start();
             WebhookDispatcher d = new WebhookDispatcher(WebhookSettings.of(List.of(receiver.url()), Optional.of("s3cret")))) {
            for (int i = 0; i < 20; i++) {
                d.publish(event(i));
            }
            await().atMost(WAIT).until(() -> receiver.deliveries.size() == 20);
            for (int i = 0; i < 20; i++) {
                WebhookReceiver.Delivery r = receiver.deliveries.get(i);
                assertThat(r.body().get("id").asText()).isEqualTo("id-" + i);
                assertThat(r.body().get("event").asText()).isEqualTo("rollout.step_promoted").isEqualTo(r.event());
                assertThat(r.body().get("text").asText()).isEqualTo("[canary node-a] event " + i);
                assertThat(r.body().get("stateVersion").asLong()).isEqualTo(i);
                assertThat(r.body().has("coordinator")).as("fields that do not apply are left out").isFalse();
                assertThat(r.deliveryId()).isEqualTo("id-" + i);
                assertThat(r.signature()).isEqualTo(WebhookDispatcher.signature("s3cret", r.raw()))
                        .isNotEqualTo(WebhookDispatcher.signature("other", r.raw())).startsWith("sha256=");
            }
            assertThat(metrics(d)).contains("canary_webhook_events_total{node=\"node-a\",endpoint=\"" + receiver.url()
                    + "\",outcome=\"delivered\"} 20\n");
        }
    }

    @Test
    void theSignatureIsTheHexHmacSha256OfTheBody() {
        // RFC 4231 test case 2.
        assertThat(WebhookDispatcher.signature("Jefe", "what do ya want for nothing?".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void withoutASecretThereIsNoSignatureHeader() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start();
             WebhookDispatcher d = new WebhookDispatcher(WebhookSettings.of(List.of(receiver.url()), Optional.empty()))) {
            d.publish(event(1));
            await().atMost(WAIT).until(() -> receiver.deliveries.size() == 1);
            assertThat(receiver.deliveries.get(0).signature()).isNull();
        }
    }

    @Test
    void eventsQueuedWhileTheReceiverIsDownArriveInOrderOnceItIsUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        WebhookSettings settings = WebhookSettings.of(List.of(java.net.URI.create("http://127.0.0.1:" + port + "/hook")), Optional.of("k"))
                .withRetries(50, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(2));
        try (WebhookDispatcher d = new WebhookDispatcher(settings)) {
            for (int i = 0; i < 3; i++) {
                d.publish(event(i));
            }
            // Down: attempts fail (connection refused) and are counted, nothing is lost.
            await().atMost(WAIT).until(() -> !metrics(d).contains("canary_webhook_attempt_failures_total{node=\"node-a\",endpoint=\"http://127.0.0.1:" + port + "/hook\"} 0\n"));
            try (WebhookReceiver receiver = WebhookReceiver.startOn(port)) {
                await().atMost(WAIT).until(() -> receiver.deliveries.size() == 3);
                assertThat(receiver.deliveries.stream().map(r -> r.body().get("id").asText()).toList())
                        .containsExactly("id-0", "id-1", "id-2");
                assertThat(metrics(d)).contains("outcome=\"delivered\"} 3\n").contains("outcome=\"failed\"} 0\n");
            }
        }
    }

    @Test
    void aHangingReceiverNeverBlocksPublishAndTheQueueIsBounded() {
        try (WebhookReceiver receiver = WebhookReceiver.hanging();
             WebhookDispatcher d = new WebhookDispatcher(WebhookSettings.of(List.of(receiver.url()), Optional.empty())
                     .withQueueCapacity(10).withRetries(3, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(30)))) {
            d.publish(event(0));
            // The first event is in flight (the receiver holds it)...
            await().atMost(WAIT).until(() -> metrics(d).contains("canary_webhook_queue_events{node=\"node-a\",endpoint=\"" + receiver.url() + "\"} 0\n"));
            long start = System.nanoTime();
            for (int i = 1; i <= 10_000; i++) {
                d.publish(event(i));
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            // ... so 10 wait and the rest were dropped, oldest first, without the caller waiting on the receiver.
            assertThat(millis).as("10,000 publishes to a hanging receiver took %d ms", millis).isLessThan(5_000);
            assertThat(metrics(d)).contains("canary_webhook_queue_events{node=\"node-a\",endpoint=\"" + receiver.url() + "\"} 10\n")
                    .contains("outcome=\"dropped\"} 9990\n");
        }
    }
}
