package io.canary.launcher.webhook;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how a node posts its events. Immutable and validated.
 *
 * @param endpoints the URLs to POST to (http or https); empty means no webhooks
 * @param secret the HMAC-SHA256 key for {@code X-Canary-Signature}; empty means unsigned
 * @param queueCapacity events waiting per endpoint; beyond it the oldest is dropped (and counted)
 * @param maxAttempts deliveries of one event before it counts as failed
 * @param firstBackoff the wait after the first failed attempt; it doubles up to {@code maxBackoff}
 * @param maxBackoff the longest wait between two attempts
 * @param timeout how long one attempt may take (connect and answer)
 */
public record WebhookSettings(List<URI> endpoints, Optional<String> secret, int queueCapacity, int maxAttempts,
                              Duration firstBackoff, Duration maxBackoff, Duration timeout) {
    public static final int DEFAULT_QUEUE_CAPACITY = 1000;
    public static final int DEFAULT_MAX_ATTEMPTS = 8;
    public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** No webhooks. */
    public static final WebhookSettings NONE = of(List.of(), Optional.empty());

    public WebhookSettings {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(secret, "secret");
        for (URI u : endpoints) {
            validate(u);
        }
        if (secret.isPresent() && secret.get().isEmpty()) {
            throw new IllegalArgumentException("webhook secret is empty");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("webhook queueCapacity must be >= 1, got " + queueCapacity);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("webhook maxAttempts must be >= 1, got " + maxAttempts);
        }
        positive("firstBackoff", firstBackoff);
        positive("maxBackoff", maxBackoff);
        positive("timeout", timeout);
    }

    /** The endpoints with every default. */
    public static WebhookSettings of(List<URI> endpoints, Optional<String> secret) {
        return new WebhookSettings(endpoints, secret, DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_ATTEMPTS,
                DEFAULT_FIRST_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_TIMEOUT);
    }

    /** A copy with other retry timings (tests, impatient receivers). */
    public WebhookSettings withRetries(int attempts, Duration first, Duration max, Duration attemptTimeout) {
        return new WebhookSettings(endpoints, secret, queueCapacity, attempts, first, max, attemptTimeout);
    }

    /** A copy with another queue capacity. */
    public WebhookSettings withQueueCapacity(int capacity) {
        return new WebhookSettings(endpoints, secret, capacity, maxAttempts, firstBackoff, maxBackoff, timeout);
    }

    /** {@code http://host:port/path} from a user's text; a bad one is an {@link IllegalArgumentException}. */
    public static URI parseEndpoint(String text) {
        URI u;
        try {
            u = URI.create(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad webhook URL '" + text + "': " + e.getMessage());
        }
        validate(u);
        return u;
    }

    private static void validate(URI u) {
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
            throw new IllegalArgumentException("bad webhook URL '" + u + "': expected http://host[:port]/path or https://...");
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("webhook " + name + " must be positive, got " + d);
        }
    }
}
