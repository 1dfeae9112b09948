package io.canary.bench.load;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * What one committed write is, per system under test. Both sides get the same payload: a JSON
 * weight set that differs from the previous one (v2 between 10.00% and 19.99%, by sequence number),
 * so every Canary commit is a real change and every etcd put carries the same bytes.
 */
public sealed interface CommitTarget permits CommitTarget.Canary, CommitTarget.Etcd {

    /** The request that commits write number {@code seq}. */
    HttpRequest request(long seq, Duration timeout);

    /** A short name for result lines. */
    String name();

    /** The weights JSON object of write {@code seq}, e.g. {@code {"v1":0.8999,"v2":0.1001}}. */
    static String weightsJson(long seq) {
        int v2 = 1000 + (int) (seq % 1000);
        int v1 = 10_000 - v2;
        return "{\"v1\":" + share(v1) + ",\"v2\":" + share(v2) + "}";
    }

    /** Both sides are asked the same way: one JSON POST with the same headers and timeout. */
    private static HttpRequest postJson(String url, String body, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static String share(int basisPoints) {
        return String.format(java.util.Locale.ROOT, "%d.%04d", basisPoints / 10_000, basisPoints % 10_000);
    }

    static CommitTarget of(String kind, String baseUrl) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return switch (kind) {
            case "canary" -> new Canary(base);
            case "etcd" -> new Etcd(base);
            default -> throw new IllegalArgumentException("--target must be canary or etcd, got " + kind);
        };
    }

    /** {@code POST /routing/weights {"weights":{...}}}: answers once the 2PC committed (or failed). */
    record Canary(String baseUrl) implements CommitTarget {
        @Override
        public HttpRequest request(long seq, Duration timeout) {
            return postJson(baseUrl + "/routing/weights", "{\"weights\":" + weightsJson(seq) + "}", timeout);
        }

        @Override
        public String name() {
            return "canary";
        }
    }

    /** etcd's v3 JSON gateway {@code POST /v3/kv/put}: answers once the put is committed by a Raft quorum. */
    record Etcd(String baseUrl) implements CommitTarget {
        private static final String KEY = Base64.getEncoder().encodeToString(
                "canary/routing/weights".getBytes(StandardCharsets.UTF_8));

        @Override
        public HttpRequest request(long seq, Duration timeout) {
            String value = Base64.getEncoder().encodeToString(weightsJson(seq).getBytes(StandardCharsets.UTF_8));
            return postJson(baseUrl + "/v3/kv/put", "{\"key\":\"" + KEY + "\",\"value\":\"" + value + "\"}", timeout);
        }

        @Override
        public String name() {
            return "etcd";
        }
    }
}
