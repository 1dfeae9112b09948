package io.canary.launcher.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.launcher.http.api.ClusterHealthView;
import io.canary.launcher.http.api.ClusterView;
import io.canary.launcher.http.api.HealthView;
import io.canary.launcher.http.api.PredictError;
import io.canary.launcher.http.api.PredictOutcome;
import io.canary.launcher.http.api.PredictResponse;
import io.canary.launcher.http.api.RolloutRequest;
import io.canary.launcher.http.api.RolloutStatusView;
import io.canary.launcher.http.api.StateView;
import io.canary.launcher.http.api.WeightsRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Talks to nodes' HTTP data planes: one {@link HttpClient} shared by every call, JSON through
 * Jackson into the same {@code http.api} records the server writes (one contract). Every failure is a {@link CliException} with one line that names the node: {@link
 * CliException.Unreachable} when the node did not answer, {@link CliException.Refused} when it
 * answered with an error.
 *
 * <p>Mutations carry {@code Authorization: Bearer $CANARY_ADMIN_TOKEN} when that variable is set.
 * Thread-safe.
 */
public final class DataPlaneClient {
    /** Environment variable whose value is sent as the admin bearer token on mutations. */
    public static final String ADMIN_TOKEN_ENV = "CANARY_ADMIN_TOKEN";
    /** Header carrying a request's sticky key. */
    public static final String KEY_HEADER = "X-Canary-Key";
    /** Header naming the version that served a prediction. */
    public static final String VERSION_HEADER = "X-Canary-Version";

    private static final ObjectMapper JSON = new ObjectMapper()
            // Absent request fields mean "the node's default": send none rather than nulls.
            .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);

    private final HttpClient http;
    private final Duration timeout;
    private final String adminToken;

    /**
     * @param timeout how long one call may take before the node counts as unreachable
     * @param env the environment to read {@code CANARY_ADMIN_TOKEN} from
     */
    public DataPlaneClient(Duration timeout, Map<String, String> env) {
        this.timeout = timeout;
        String token = env.get(ADMIN_TOKEN_ENV);
        this.adminToken = token == null || token.isBlank() ? null : token.trim();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(3)) < 0 ? timeout : Duration.ofSeconds(3))
                .build();
    }

    /** The shared JSON mapper (lenient about unknown fields). */
    public static ObjectMapper json() {
        return JSON;
    }

    public StateView state(NodeAddress node) {
        return read(node, get(node, "/routing/state"), StateView.class);
    }

    public HealthView health(NodeAddress node) {
        return read(node, get(node, "/health"), HealthView.class);
    }

    public ClusterHealthView clusterHealth(NodeAddress node) {
        return read(node, get(node, "/health/cluster"), ClusterHealthView.class);
    }

    public RolloutStatusView rollout(NodeAddress node) {
        return read(node, get(node, "/rollout"), RolloutStatusView.class);
    }

    public ClusterView cluster(NodeAddress node) {
        return read(node, get(node, "/cluster"), ClusterView.class);
    }

    /**
     * One prediction; {@code key} may be null (random routing). A model failure (502) is returned
     * as a {@link PredictError}; other errors throw.
     */
    public PredictOutcome predict(NodeAddress node, String key) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (key != null) {
            body.put("key", key);
        }
        try {
            return read(node, send(node, predictRequest(node, key, body), false), PredictResponse.class);
        } catch (CliException.Refused e) {
            if (e.status() != 502) {
                throw e;
            }
            return new PredictError(e.error(), e.version(), node.nodeId(), 0);
        }
    }

    /** Proposes weights through 2PC; returns the committed state. */
    public StateView proposeWeights(NodeAddress node, Map<String, Double> weights) {
        return read(node, post(node, "/routing/weights", new WeightsRequest(weights)), StateView.class);
    }

    /** Starts a rollout ({@code POST /rollout}); returns the committed first step. */
    public StateView startRollout(NodeAddress node, RolloutRequest request) {
        return read(node, post(node, "/rollout", request), StateView.class);
    }

    /** {@code action} is pause, resume, promote or abort; returns the resulting state. */
    public StateView controlRollout(NodeAddress node, String action) {
        return read(node, post(node, "/rollout/" + action, Map.of()), StateView.class);
    }

    /**
     * Sends a prediction without waiting: the future completes with the response whatever its
     * status, or exceptionally if the node did not answer. Used by the load generator.
     */
    public CompletableFuture<HttpResponse<Void>> predictAsync(NodeAddress node, String key) {
        Map<String, Object> body = key == null ? Map.of() : Map.of("key", key);
        return http.sendAsync(predictRequest(node, key, body), HttpResponse.BodyHandlers.discarding());
    }

    /** A GET whose body is returned as JSON; errors as {@link CliException}. */
    public JsonNode get(NodeAddress node, String path) {
        HttpRequest request = HttpRequest.newBuilder(node.resolve(path)).timeout(timeout)
                .header("Accept", "application/json").GET().build();
        return send(node, request, false);
    }

    /** A mutating POST (carries the admin token if set); errors as {@link CliException}. */
    public JsonNode post(NodeAddress node, String path, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(node.resolve(path)).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(toJson(body)));
        if (adminToken != null) {
            b.header("Authorization", "Bearer " + adminToken);
        }
        return send(node, b.build(), true);
    }

    private HttpRequest predictRequest(NodeAddress node, String key, Map<String, Object> body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(node.resolve("/predict")).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(toJson(body)));
        if (key != null) {
            b.header(KEY_HEADER, key);
        }
        return b.build();
    }

    private JsonNode send(NodeAddress node, HttpRequest request, boolean mutation) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while waiting for " + node);
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException.Unreachable(node, describe(e));
        }
        JsonNode body = parse(response.body());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            if (body == null) {
                throw new CliException(node + " answered " + request.uri().getPath() + " with something that is not JSON");
            }
            return body;
        }
        String error = body != null && body.hasNonNull("error") ? body.get("error").asText() : "HTTP " + status;
        String hint = (status == 401 || status == 403) && mutation
                ? (adminToken != null ? " (check " + ADMIN_TOKEN_ENV + ")"
                        // 401: the node has a token, so even its own machine must send it.
                        : status == 401 ? " (set " + ADMIN_TOKEN_ENV + " to the nodes' admin token)"
                        : " (set " + ADMIN_TOKEN_ENV + " or run this on the node's machine)")
                : "";
        throw new CliException.Refused(node.nodeId() + " refused " + request.method() + " " + request.uri().getPath()
                + ": " + error + " (HTTP " + status + ")" + hint, status, error,
                response.headers().firstValue(VERSION_HEADER).orElse(body != null && body.hasNonNull("version") ? body.get("version").asText() : "unknown"));
    }

    private static <T> T read(NodeAddress node, JsonNode body, Class<T> type) {
        try {
            return JSON.treeToValue(body, type);
        } catch (JsonProcessingException e) {
            throw new CliException(node.nodeId() + " sent an answer this client cannot read: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IllegalArgumentException e) {
            throw new CliException(node.nodeId() + " sent an answer this client cannot read: " + e.getMessage());
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] toJson(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode request body", e);
        }
    }

    /** A short reason for a transport failure, e.g. {@code connection refused}. */
    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "no connection within the timeout";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within the timeout";
        }
        if (e instanceof ConnectException || t instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof UnresolvedAddressException || t instanceof UnresolvedAddressException) {
            return "unknown host";
        }
        String msg = t.getMessage();
        return msg == null || msg.isBlank() ? t.getClass().getSimpleName() : msg;
    }
}
