package io.canary.launcher.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A simulated model: answers after a log-normal latency whose median is the configured latency,
 * and fails with the configured probability. The answer is a score derived from the input, so the
 * same input gets the same score from the same version.
 *
 * <p>No thread waits for the simulated latency: the answer is completed by a shared timer.
 */
public final class DemoModel implements ModelBackend {
    /** Spread of the latency: about 95% of calls fall within ×0.6 .. ×1.6 of the median. */
    static final double LATENCY_SIGMA = 0.25;
    /** No simulated call takes longer than this multiple of the median. */
    static final double MAX_LATENCY_FACTOR = 5;

    private final String version;
    private final ModelSpec.Demo spec;
    private final ScheduledExecutorService timer;

    DemoModel(String version, ModelSpec.Demo spec, ScheduledExecutorService timer) {
        this.version = Objects.requireNonNull(version, "version");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.timer = Objects.requireNonNull(timer, "timer");
    }

    @Override
    public CompletableFuture<JsonNode> predict(JsonNode input) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean fails = random.nextDouble() < spec.errorRate();
        long delayNanos = sampleLatencyNanos(random.nextGaussian());
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        Runnable answer = () -> {
            if (fails) {
                result.completeExceptionally(new ModelException("simulated failure of " + version));
            } else {
                result.complete(output(input));
            }
        };
        if (delayNanos <= 0) {
            answer.run();
            return result;
        }
        try {
            timer.schedule(answer, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            result.completeExceptionally(new ModelException(version + " is shutting down"));
        }
        return result;
    }

    /** The latency for a standard normal sample {@code z}: median × e^(σz), capped. */
    long sampleLatencyNanos(double z) {
        long median = spec.latency().toNanos();
        double factor = Math.min(Math.exp(LATENCY_SIGMA * z), MAX_LATENCY_FACTOR);
        return Math.round(median * factor);
    }

    private ObjectNode output(JsonNode input) {
        int h = (version + "|" + (input == null ? "null" : input.toString())).hashCode();
        double score = (h & 0x7fffffff) / (double) Integer.MAX_VALUE;
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("model", version);
        out.put("score", Math.round(score * 10_000) / 10_000.0);
        return out;
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public void close() {
        // The timer is shared and owned by whoever created this model.
    }
}
