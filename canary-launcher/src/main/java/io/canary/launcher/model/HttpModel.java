package io.canary.launcher.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A real backend behind {@code /predict}: the request's {@code input} is POSTed as JSON to the
 * configured URL; a 2xx JSON answer is the output (a non-JSON answer becomes a JSON string). Any
 * other status, a timeout or a connection failure is a {@link ModelException}.
 */
public final class HttpModel implements ModelBackend {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String version;
    private final ModelSpec.Http spec;
    private final HttpClient http;

    HttpModel(String version, ModelSpec.Http spec, HttpClient http) {
        this.version = Objects.requireNonNull(version, "version");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.http = Objects.requireNonNull(http, "http");
    }

    @Override
    public CompletableFuture<JsonNode> predict(JsonNode input) {
        String body = input == null || input.isMissingNode() ? "null" : input.toString();
        HttpRequest request = HttpRequest.newBuilder(spec.uri())
                .timeout(spec.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw new ModelException(describe(failure));
                    }
                    int status = response.statusCode();
                    if (status < 200 || status > 299) {
                        throw new ModelException("backend of " + version + " at " + spec.uri() + " answered HTTP " + status);
                    }
                    return parse(response.body());
                });
    }

    private String describe(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof HttpTimeoutException) {
            return "backend of " + version + " at " + spec.uri() + " did not answer within " + spec.timeout().toMillis() + " ms";
        }
        if (t instanceof ConnectException) {
            return "backend of " + version + " at " + spec.uri() + " is unreachable (connection refused)";
        }
        String msg = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        return "backend of " + version + " at " + spec.uri() + " failed: " + msg;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JsonNodeFactory.instance.nullNode();
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException notJson) {
            return JsonNodeFactory.instance.textNode(body);
        }
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public void close() {
        // The HTTP client is shared and owned by whoever created this model.
    }
}
