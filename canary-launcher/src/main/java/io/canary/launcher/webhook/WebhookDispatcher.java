package io.canary.launcher.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts events to every endpoint, in order, each endpoint on its own daemon thread behind its own
 * bounded queue: a slow, hanging or failing receiver delays only its own deliveries, never the
 * caller, the protocol or the data plane ({@link #publish} only offers to queues).
 *
 * <p>Each event is tried up to {@code maxAttempts} times with doubling backoff (on a refused
 * connection, a timeout, a 5xx, 408 or 429; another 4xx is final). The first failure of an endpoint
 * is logged once, then only counted until it delivers again. Thread-safe.
 */
public final class WebhookDispatcher implements AutoCloseable {
    /** Header with {@code sha256=<hex HMAC-SHA256 of the body>} when a secret is set. */
    public static final String SIGNATURE_HEADER = "X-Canary-Signature";
    /** Header with the event's name, e.g. {@code rollout.completed}. */
    public static final String EVENT_HEADER = "X-Canary-Event";
    /** Header with the event's id, equal across retries of it. */
    public static final String DELIVERY_HEADER = "X-Canary-Delivery";

    private static final System.Logger LOG = System.getLogger("io.canary.launcher.webhook");

    private final WebhookSettings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    public WebhookDispatcher(WebhookSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .version(HttpClient.Version.HTTP_1_1).build();
        for (URI u : settings.endpoints()) {
            Endpoint e = new Endpoint(u);
            endpoints.add(e);
            e.thread.start();
        }
    }

    /** Queues {@code event} for every endpoint without blocking; a full queue drops its oldest event. Any thread. */
    public void publish(WebhookEvent event) {
        if (closed.get()) {
            return;
        }
        for (Endpoint e : endpoints) {
            while (!e.queue.offer(event)) {
                if (e.queue.poll() != null) {
                    e.dropped.increment();
                }
            }
        }
    }

    /** True if there is at least one endpoint. */
    public boolean isEnabled() {
        return !endpoints.isEmpty();
    }

    /** Appends this dispatcher's counters to a Prometheus text page. */
    public void renderMetrics(StringBuilder out, String nodeLabel) {
        if (endpoints.isEmpty()) {
            return;
        }
        family(out, "canary_webhook_events_total", "counter",
                "Webhook events per endpoint since start, by outcome: delivered, failed (gave up after every retry), dropped (queue full).");
        for (Endpoint e : endpoints) {
            for (String outcome : List.of("delivered", "failed", "dropped")) {
                long v = switch (outcome) {
                    case "delivered" -> e.delivered.sum();
                    case "failed" -> e.failed.sum();
                    default -> e.dropped.sum();
                };
                out.append("canary_webhook_events_total{").append(nodeLabel).append(",endpoint=\"").append(e.label)
                        .append("\",outcome=\"").append(outcome).append("\"} ").append(v).append('\n');
            }
        }
        family(out, "canary_webhook_attempt_failures_total", "counter", "Failed delivery attempts per webhook endpoint since start.");
        for (Endpoint e : endpoints) {
            out.append("canary_webhook_attempt_failures_total{").append(nodeLabel).append(",endpoint=\"").append(e.label)
                    .append("\"} ").append(e.attemptFailures.sum()).append('\n');
        }
        family(out, "canary_webhook_queue_events", "gauge", "Events waiting per webhook endpoint.");
        for (Endpoint e : endpoints) {
            out.append("canary_webhook_queue_events{").append(nodeLabel).append(",endpoint=\"").append(e.label)
                    .append("\"} ").append(e.queue.size()).append('\n');
        }
    }

    private static void family(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** {@code sha256=<hex>} of {@code body} under {@code secret}. */
    public static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Stops the delivery threads; events still queued are not sent. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            endpoints.forEach(e -> e.thread.interrupt());
        }
    }

    /** One receiver: its queue, its thread and its counters. */
    private final class Endpoint {
        final URI uri;
        final String label;
        final BlockingQueue<WebhookEvent> queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        final Thread thread;
        final LongAdder delivered = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder attemptFailures = new LongAdder();
        /** Set by the first failure, cleared by the next success: what makes the log say it once. */
        private boolean failing;

        Endpoint(URI uri) {
            this.uri = uri;
            // No query or user info in logs and labels: they may hold a token.
            this.label = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                    + (uri.getRawPath() == null ? "" : uri.getRawPath());
            this.thread = new Thread(this::run, "canary-webhook-" + uri.getHost());
            this.thread.setDaemon(true);
        }

        private void run() {
            try {
                while (!closed.get()) {
                    deliver(queue.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void deliver(WebhookEvent event) throws InterruptedException {
            byte[] body;
            try {
                body = json.writeValueAsBytes(event);
            } catch (JsonProcessingException e) {
                failed.increment();
                LOG.log(System.Logger.Level.ERROR, "webhook event " + event.event().wireName() + " cannot be encoded: " + e.getMessage());
                return;
            }
            long backoff = settings.firstBackoff().toMillis();
            for (int attempt = 1; ; attempt++) {
                String problem = attempt(event, body);
                if (problem == null) {
                    delivered.increment();
                    if (failing) {
                        failing = false;
                        LOG.log(System.Logger.Level.INFO, "webhook " + label + " delivers again");
                    }
                    return;
                }
                attemptFailures.increment();
                boolean retry = !problem.startsWith("final:") && attempt < settings.maxAttempts();
                if (!failing) {
                    failing = true;
                    LOG.log(System.Logger.Level.WARNING, "webhook " + label + " failed: " + problem.replace("final: ", "")
                            + (retry ? "; retrying with backoff" : "; giving up on this event")
                            + " (further failures of this endpoint are counted in /metrics, not logged)");
                }
                if (!retry) {
                    failed.increment();
                    return;
                }
                TimeUnit.MILLISECONDS.sleep(backoff);
                backoff = Math.min(backoff * 2, settings.maxBackoff().toMillis());
            }
        }

        /** Null on success, else why; "final: ..." when retrying cannot help. */
        private String attempt(WebhookEvent event, byte[] body) throws InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "canary-webhook")
                    .header(EVENT_HEADER, event.event().wireName())
                    .header(DELIVERY_HEADER, event.id())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            settings.secret().ifPresent(s -> request.header(SIGNATURE_HEADER, signature(s, body)));
            try {
                HttpResponse<Void> r = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
                int status = r.statusCode();
                if (status >= 200 && status < 300) {
                    return null;
                }
                boolean retryable = status >= 500 || status == 408 || status == 429;
                return (retryable ? "" : "final: ") + "HTTP " + status;
            } catch (IOException e) {
                return e instanceof java.net.http.HttpTimeoutException ? "no answer within " + settings.timeout().toMillis() + " ms"
                        : e instanceof java.net.ConnectException ? "connection refused"
                        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
        }
    }
}
