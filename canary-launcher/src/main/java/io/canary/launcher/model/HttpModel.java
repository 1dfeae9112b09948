package io.canary.launcher.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/**
 * A real backend behind {@code /predict}: the request's {@code input} is POSTed as JSON to the
 * configured URL; a 2xx JSON answer is the output (a non-JSON answer becomes a JSON string). Any
 * other status, a timeout or a connection failure is a {@link ModelException}.
 *
 * <p>Calls go through Jetty's {@link HttpClient}, the client the transparent proxy uses (keep-alive
 * pools per endpoint, one selector; see {@code UpstreamClients}). Two ways to call it:
 * {@link #predict} (the {@link ModelBackend} contract, never blocks, the answer parsed into a
 * tree) and {@link #call} (blocks the calling thread for at most the spec's timeout, the answer
 * passed through as raw JSON). {@code /predict} uses {@link #call} on its Jetty thread: completing a
 * Javalin async response from the HTTP client's threads costs several times the throughput of
 * waiting on the request thread (BENCHMARKS.md part 3).
 */
public final class HttpModel implements ModelBackend {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Larger answers are refused: {@code /predict} embeds the answer in its own JSON. */
    private static final int MAX_ANSWER_BYTES = 8 * 1024 * 1024;

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
        CompletableFuture<ContentResponse> call;
        try {
            call = new CompletableResponseListener(request(input), MAX_ANSWER_BYTES).send();
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((response, failure) -> {
            if (failure != null) {
                throw new ModelException(describe(failure));
            }
            checkStatus(response.getStatus());
            return parse(response.getContentAsString());
        });
    }

    /**
     * Calls the backend and waits for its answer, at most the spec's timeout (plus the client's
     * connect timeout). Blocks the calling thread: call it from a bounded pool (Jetty's).
     *
     * <p>A 2xx answer that is one JSON value is returned as a raw node that serialises to the
     * backend's exact bytes (no parse into a tree, no re-serialisation); any other 2xx answer is
     * turned into JSON as {@link #predict} does.
     *
     * @throws ModelException on a non-2xx status, a timeout, a connection failure or an interrupt
     *     (the thread's interrupt flag is then kept)
     */
    public JsonNode call(JsonNode input) {
        ContentResponse response;
        try {
            response = new CompletableResponseListener(request(input), MAX_ANSWER_BYTES).send().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException("call to the backend of " + version + " at " + spec.uri() + " was interrupted");
        } catch (ExecutionException e) {
            throw new ModelException(describe(e.getCause() != null ? e.getCause() : e));
        } catch (RuntimeException e) {
            throw new ModelException(describe(e));
        }
        return output(response.getStatus(), response.getContentAsString());
    }

    /**
     * What an answer of the backend means, whichever client fetched it: a 2xx answer that is one
     * JSON value as a raw node serialising to its exact bytes, any other 2xx answer as JSON (a
     * string if it is not JSON). For the node's own {@code /predict} on Netty, which calls the
     * backend itself. Any thread.
     *
     * @throws ModelException on a non-2xx status
     */
    public JsonNode output(int status, String body) {
        checkStatus(status);
        return isOneJsonValue(body) ? JsonNodeFactory.instance.rawValueNode(new RawValue(body.strip())) : parse(body);
    }

    /** The body this model POSTs for {@code input} (JSON; {@code null} without input). */
    public static String requestBody(JsonNode input) {
        return input == null || input.isMissingNode() ? "null" : input.toString();
    }

    private Request request(JsonNode input) {
        String body = requestBody(input);
        return http.newRequest(spec.uri())
                .method(HttpMethod.POST)
                .timeout(spec.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .headers(h -> h.put(HttpHeader.ACCEPT, "application/json"))
                .body(new StringRequestContent("application/json", body, StandardCharsets.UTF_8));
    }

    private void checkStatus(int status) {
        if (status < 200 || status > 299) {
            throw new ModelException("backend of " + version + " at " + spec.uri() + " answered HTTP " + status);
        }
    }

    /**
     * One line on why a call failed: a timeout, a refused connection, or the failure's message,
     * naming the version and the backend. Any thread.
     */
    public String describe(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof TimeoutException) {
            return "backend of " + version + " at " + spec.uri() + " did not answer within " + spec.timeout().toMillis() + " ms";
        }
        if (t instanceof ConnectException) {
            return "backend of " + version + " at " + spec.uri() + " is unreachable (connection refused)";
        }
        String msg = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        return "backend of " + version + " at " + spec.uri() + " failed: " + msg;
    }

    /**
     * Whether {@code body} is exactly one well-formed JSON value (surrounding whitespace allowed):
     * only then can it be embedded verbatim. Tokenises without building a tree.
     */
    static boolean isOneJsonValue(String body) {
        if (body == null || body.isBlank()) {
            return false;
        }
        try (JsonParser parser = MAPPER.getFactory().createParser(body)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException notJson) {
            return false;
        }
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
