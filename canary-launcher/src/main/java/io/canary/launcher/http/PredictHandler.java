package io.canary.launcher.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.canary.launcher.http.api.PredictError;
import io.canary.launcher.http.api.PredictRequest;
import io.canary.launcher.http.api.PredictResponse;
import io.canary.launcher.model.HttpModel;
import io.canary.launcher.model.ModelBackend;
import io.javalin.http.Context;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /predict}: routes the request (sticky by key), calls the chosen version's model
 * (an HTTP backend on the Jetty thread, bounded by its timeout; a demo model without holding the
 * thread, as its latency is simulated), records latency and outcome in the node's health, and answers
 * with the version in the body and in {@code X-Canary-Version}. A model failure is a 502 that
 * names the version, and counts as an error of that version.
 */
final class PredictHandler {
    static final String KEY_HEADER = "X-Canary-Key";
    static final String VERSION_HEADER = "X-Canary-Version";

    private final NodeApi node;
    private final Map<String, ModelBackend> models;
    private final RequestBodies bodies;
    private final NodeCounters counters;

    PredictHandler(NodeApi node, Map<String, ModelBackend> models, RequestBodies bodies, NodeCounters counters) {
        this.node = node;
        this.models = Map.copyOf(models);
        this.bodies = bodies;
        this.counters = counters;
    }

    void handle(Context ctx) {
        PredictRequest request = bodies.parse(ctx, PredictRequest.class);
        String headerKey = ctx.header(KEY_HEADER);
        String key = headerKey != null && !headerKey.isBlank() ? headerKey
                : request != null ? request.key() : null;
        JsonNode input = request != null ? request.input() : null;
        String version = node.route(key);
        ctx.header(VERSION_HEADER, version);
        ModelBackend model = models.get(version);
        if (model == null) {
            node.record(version, 0, false);
            counters.request(version, 0, false);
            ctx.status(502).json(new PredictError("no model serves version " + version + " on " + node.id(),
                    version, node.id(), 0));
            return;
        }
        long start = System.nanoTime();
        if (model instanceof HttpModel http) {
            // Blocking on this Jetty thread is ~4x faster than completing the response from the
            // HTTP client's executor; Jetty's pool (Javalin's default, at most 250 threads) bounds
            // how many calls wait, each for at most the backend's timeout.
            JsonNode output = null;
            Throwable failure = null;
            try {
                output = http.call(input);
            } catch (RuntimeException e) {
                failure = e;
            }
            answer(ctx, version, start, output, failure);
            return;
        }
        ctx.future(() -> {
            CompletableFuture<JsonNode> call;
            try {
                call = model.predict(input);
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            return call.handle((output, failure) -> {
                answer(ctx, version, start, output, failure);
                return null;
            });
        });
    }

    /** Records the call's latency and outcome for {@code version} and writes the answer. */
    private void answer(Context ctx, String version, long start, JsonNode output, Throwable failure) {
        long nanos = System.nanoTime() - start;
        node.record(version, nanos, failure == null);
        counters.request(version, nanos, failure == null);
        double ms = Math.round(nanos / 1_000.0) / 1_000.0;
        if (failure == null) {
            ctx.status(200).json(new PredictResponse(version, node.id(), output, ms));
        } else {
            Throwable t = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            String why = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            ctx.status(502).json(new PredictError(why, version, node.id(), ms));
        }
    }
}
