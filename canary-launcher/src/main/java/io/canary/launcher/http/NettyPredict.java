package io.canary.launcher.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.launcher.http.api.ErrorView;
import io.canary.launcher.http.api.PredictError;
import io.canary.launcher.http.api.PredictRequest;
import io.canary.launcher.http.api.PredictResponse;
import io.canary.launcher.model.HttpModel;
import io.canary.launcher.model.ModelBackend;
import io.canary.launcher.model.ModelSpec;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * {@code POST /predict} on the data port's Netty event loops ({@link DataPortFront}): the same API,
 * envelope and error semantics as {@link PredictHandler} (the Javalin route, still used behind
 * {@code -Dcanary.predict.engine=javalin}), without Javalin's thread-per-request servlet path. The
 * request is routed (sticky by {@code X-Canary-Key}, else the body's {@code key}), an HTTP model is
 * called through {@link LoopHttpClient} on the same loop (no hand-off to another thread), a demo
 * model through its future; latency and outcome are recorded for the version, and the answer
 * carries the version in its body and in {@code X-Canary-Version}. A model failure is a 502 naming
 * the version; a bad body is a 400 (413 if too large) saying what is wrong.
 *
 * <p>Threading: {@link #serve} on an event loop; the answer is given on that loop.
 */
final class NettyPredict {
    private static final AsciiString VERSION_HEADER = AsciiString.cached(PredictHandler.VERSION_HEADER);
    private static final AsciiString JSON = AsciiString.cached("application/json");
    private static final byte[] NULL_INPUT = "null".getBytes(StandardCharsets.US_ASCII);

    /** An HTTP model's target, resolved once. */
    private record Target(HttpModel model, InetSocketAddress address, String uri, String host, long timeoutMillis) {
    }

    private final NodeApi node;
    private final Map<String, ModelBackend> models;
    private final Map<String, Target> targets = new java.util.HashMap<>();
    /** Each version's envelope head, made once (any loop may add one: concurrent). */
    private final Map<String, byte[]> heads = new java.util.concurrent.ConcurrentHashMap<>();
    private final RequestBodies bodies;
    private final NodeCounters counters;
    private final ObjectMapper mapper;
    private final LoopHttpClient client;

    NettyPredict(NodeApi node, Map<String, ModelBackend> models, RequestBodies bodies, NodeCounters counters, ObjectMapper mapper,
                 LoopHttpClient client) {
        this.node = node;
        this.models = Map.copyOf(models);
        this.bodies = bodies;
        this.counters = counters;
        this.mapper = mapper;
        this.client = client;
        this.models.forEach((version, model) -> {
            if (model instanceof HttpModel http && model.spec() instanceof ModelSpec.Http spec
                    && "http".equalsIgnoreCase(spec.uri().getScheme())) {
                URI u = spec.uri();
                int port = u.getPort() >= 0 ? u.getPort() : 80;
                String path = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                        + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
                targets.put(version, new Target(http, InetSocketAddress.createUnresolved(u.getHost(), port), path,
                        u.getHost() + ":" + port, spec.timeout().toMillis()));
            }
        });
    }

    /** Serves one {@code POST /predict} (the request is released here); {@code answer} gets the response once. */
    void serve(EventLoop loop, FullHttpRequest request, Consumer<FullHttpResponse> answer) {
        String headerKey = request.headers().get(PredictHandler.KEY_HEADER);
        byte[] bytes = ByteBufUtil.getBytes(request.content());
        request.release();
        PredictJson.Fast fast = PredictJson.read(bytes);
        String bodyKey;
        JsonNode input = null;
        if (fast != null) {
            bodyKey = fast.key();
        } else {
            PredictRequest body;
            try {
                body = bodies.parse(bytes, PredictRequest.class);
            } catch (ApiException e) {
                answer.accept(json(HttpResponseStatus.valueOf(e.status()), new ErrorView(e.getMessage()), null));
                return;
            }
            bodyKey = body != null ? body.key() : null;
            input = body != null ? body.input() : null;
        }
        String key = headerKey != null && !headerKey.isBlank() ? headerKey : bodyKey;
        String version = node.route(key);
        ModelBackend model = models.get(version);
        if (model == null) {
            node.record(version, 0, false);
            counters.request(version, 0, false);
            answer.accept(json(HttpResponseStatus.BAD_GATEWAY, new PredictError("no model serves version " + version + " on "
                    + node.id(), version, node.id(), 0), version));
            return;
        }
        long start = System.nanoTime();
        Target target = targets.get(version);
        if (target != null) {
            // The input's bytes as the client sent them (the fast read), or the mapper's tree written back.
            byte[] out = fast != null ? (fast.input() != null ? fast.input() : NULL_INPUT)
                    : HttpModel.requestBody(input).getBytes(StandardCharsets.UTF_8);
            FullHttpRequest call = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target.uri(), Unpooled.wrappedBuffer(out));
            call.headers().set(HttpHeaderNames.HOST, target.host()).set(HttpHeaderNames.ACCEPT, JSON)
                    .set(HttpHeaderNames.CONTENT_TYPE, JSON).setInt(HttpHeaderNames.CONTENT_LENGTH, out.length);
            client.send(loop, target.address(), call, target.timeoutMillis(), (r, failure) -> {
                if (r == null) {
                    answer.accept(answered(version, start, null, new RuntimeException(target.model().describe(failure))));
                    return;
                }
                int status = r.status().code();
                byte[] raw = ByteBufUtil.getBytes(r.content());
                r.release();
                byte[] one = status >= 200 && status <= 299 ? PredictJson.oneValue(raw) : null;
                if (one != null) {
                    answer.accept(envelope(version, start, one)); // the common case: no tree either way
                    return;
                }
                JsonNode output = null;
                Throwable problem = null;
                try {
                    output = target.model().output(status, new String(raw, StandardCharsets.UTF_8));
                } catch (RuntimeException e) {
                    problem = e;
                }
                answer.accept(answered(version, start, output, problem));
            });
            return;
        }
        if (fast != null && fast.input() != null) {
            try {
                input = mapper.readTree(fast.input());
            } catch (IOException e) {
                input = null; // cannot happen: the tokenizer read these bytes as one value
            }
        }
        CompletableFuture<JsonNode> call;
        try {
            call = model.predict(input);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((output, failure) -> {
            if (loop.inEventLoop()) {
                answer.accept(answered(version, start, output, failure));
            } else {
                loop.execute(() -> answer.accept(answered(version, start, output, failure)));
            }
        });
    }

    /** Records a success for {@code version} and writes the envelope around the model's JSON bytes. */
    private FullHttpResponse envelope(String version, long start, byte[] output) {
        long nanos = System.nanoTime() - start;
        node.record(version, nanos, true);
        counters.request(version, nanos, true);
        byte[] head = heads.computeIfAbsent(version, v -> PredictJson.envelopeHead(v, node.id()));
        return response(HttpResponseStatus.OK, PredictJson.envelope(head, output, Math.round(nanos / 1_000.0) / 1_000.0), version);
    }

    /** Records the call's latency and outcome for {@code version}; the envelope (200) or the error (502). */
    private FullHttpResponse answered(String version, long start, JsonNode output, Throwable failure) {
        long nanos = System.nanoTime() - start;
        node.record(version, nanos, failure == null);
        counters.request(version, nanos, failure == null);
        double ms = Math.round(nanos / 1_000.0) / 1_000.0;
        if (failure == null) {
            return json(HttpResponseStatus.OK, new PredictResponse(version, node.id(), output, ms), version);
        }
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String why = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        return json(HttpResponseStatus.BAD_GATEWAY, new PredictError(why, version, node.id(), ms), version);
    }

    private FullHttpResponse json(HttpResponseStatus status, Object value, String version) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
            bytes = ("{\"error\":\"internal error: the answer could not be written\"}").getBytes(StandardCharsets.UTF_8);
        }
        return response(status, bytes, version);
    }

    static FullHttpResponse response(HttpResponseStatus status, byte[] json, String version) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(json));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON).setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        if (version != null) {
            r.headers().set(VERSION_HEADER, version);
        }
        return r;
    }
}
