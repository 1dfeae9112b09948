package io.canary.launcher.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.client.HttpClient;

/**
 * Serves one version behind {@code /predict}.
 *
 * <p>Threading: {@link #predict} is called from Jetty threads, concurrently, and never blocks: it
 * returns a future completed later (by a timer or the HTTP client's threads), so a slow model
 * never holds a request thread. ({@code /predict} calls an {@link HttpModel} through its blocking
 * {@link HttpModel#call} instead, which is faster on Jetty; see there.)
 *
 * <p>Failure: the future completes exceptionally with {@link ModelException}, whose message says
 * what went wrong in one line (simulated failure, backend status, timeout, unreachable).
 */
public sealed interface ModelBackend extends AutoCloseable permits DemoModel, HttpModel {

    /** Runs the model on {@code input} (a JSON value, possibly {@code null}). */
    CompletableFuture<JsonNode> predict(JsonNode input);

    /** The spec it was built from. */
    ModelSpec spec();

    /** Releases what the backend holds. Idempotent; never throws. */
    @Override
    void close();

    /**
     * Creates the backend for {@code version}.
     *
     * @param timer completes simulated calls after their latency; shared, owned by the caller
     * @param http the client HTTP backends call through (Jetty's, as the proxy's; see
     *     {@code UpstreamClients}); shared, started and stopped by the caller
     */
    static ModelBackend create(String version, ModelSpec spec, ScheduledExecutorService timer, HttpClient http) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(spec, "spec");
        if (spec instanceof ModelSpec.Demo demo) {
            return new DemoModel(version, demo, timer);
        }
        return new HttpModel(version, (ModelSpec.Http) spec, http);
    }
}
