package io.canary.launcher.client;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** A fake data plane on 127.0.0.1 (ephemeral port) answering canned JSON, recording each request. */
final class StubNode implements AutoCloseable {
    record Request(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> v = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue).findFirst().orElse(List.of());
            return v.isEmpty() ? null : v.get(0);
        }
    }

    record Answer(int status, String json, Map<String, String> headers) {
        static Answer ok(String json) {
            return new Answer(200, json, Map.of());
        }
    }

    final String id;
    private final HttpServer server;
    private final Map<String, Function<Request, Answer>> routes = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    StubNode(String id) {
        this.id = id;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "stub-" + id);
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()), body);
            requests.add(request);
            Function<Request, Answer> route = routes.get(request.method() + " " + request.path());
            Answer answer = route != null ? route.apply(request) : new Answer(404, "{\"error\":\"no route\"}", Map.of());
            byte[] bytes = answer.json().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    StubNode on(String methodAndPath, Function<Request, Answer> route) {
        routes.put(methodAndPath, route);
        return this;
    }

    StubNode on(String methodAndPath, String json) {
        return on(methodAndPath, r -> Answer.ok(json));
    }

    /** A node at state {@code version} with the given v2 share, no traffic, predicting on v1. */
    StubNode healthy(long version, double v2) {
        return on("GET /routing/state", state(version, v2))
                .on("GET /health", "{\"node\":\"" + id + "\",\"at\":1,\"windowMs\":30000,\"versions\":{\"v1\":{\"requests\":1000,"
                        + "\"errors\":100,\"errorRate\":0.1,\"p50Ms\":50,\"p95Ms\":120.0,\"p99Ms\":200}}}")
                .on("POST /predict", r -> new Answer(200, "{\"version\":\"v1\",\"node\":\"" + id + "\",\"output\":1,\"latencyMs\":3}",
                        Map.of("X-Canary-Version", "v1")));
    }

    static String state(long version, double v2) {
        return "{\"version\":" + version + ",\"status\":\"COMMITTED\",\"weights\":{\"v1\":" + (1 - v2) + ",\"v2\":" + v2
                + "},\"baseline\":\"v1\",\"txId\":7,\"committedAt\":1700000000000,\"rollout\":{\"id\":\"\",\"canary\":\"\","
                + "\"steps\":[],\"stepIndex\":-1,\"percent\":0,\"phase\":\"NONE\",\"reason\":\"\"}}";
    }

    String address() {
        return id + "=http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
