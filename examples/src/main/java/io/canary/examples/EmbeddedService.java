package io.canary.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.canary.CanaryNode;
import io.canary.ProposalFailedException;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.net.ControlPort;
import io.canary.net.HostPort;
import io.canary.net.SocketTransport;
import io.canary.net.ClusterSecret;
import io.canary.net.SocketTransportConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A plain Java HTTP service (the JDK's {@code com.sun.net.httpserver}, nothing else) that embeds a
 * Canary node: every request is routed to model version v1 or v2 by the cluster's committed
 * weights, and its latency and outcome are recorded so the cluster can judge the canary. The node
 * talks to its peers over the socket transport.
 *
 * <p>Endpoints: {@code GET /recommend?user=42} (routed by the user id, sticky), {@code GET
 * /canary/state}, and {@code POST /canary/weights?v1=0.9&v2=0.1} (a two-phase commit through this
 * node; loopback callers only).
 *
 * <p>Run one node alone: {@code java -cp ... io.canary.examples.EmbeddedService}; or three, each
 * with its id, the peer list and its HTTP port:
 * <pre>
 * EmbeddedService node-a node-a=127.0.0.1:7001,node-b=127.0.0.1:7002,node-c=127.0.0.1:7003 8081
 * EmbeddedService node-b node-a=127.0.0.1:7001,node-b=127.0.0.1:7002,node-c=127.0.0.1:7003 8082
 * EmbeddedService node-c node-a=127.0.0.1:7001,node-b=127.0.0.1:7002,node-c=127.0.0.1:7003 8083
 * curl 'localhost:8082/recommend?user=42'
 * curl -X POST 'localhost:8081/canary/weights?v1=0.9&amp;v2=0.1'
 * </pre>
 * Across machines, give every node the same cluster secret ({@code export
 * CANARY_CLUSTER_SECRET_FILE=cluster.key}, made once with {@code canary secret generate}): the
 * control port then listens on every interface and authenticates each peer.
 */
public final class EmbeddedService implements AutoCloseable {
    /** The cluster secret file every member reads, if set; without one the control port listens on loopback only. */
    public static final String SECRET_FILE_ENV = "CANARY_CLUSTER_SECRET_FILE";

    /** One version of the model: an answer for an input, or an exception. Called concurrently. */
    @FunctionalInterface
    public interface Model {
        String predict(String input) throws Exception;
    }

    /**
     * How to start one service.
     *
     * @param nodeId this node, e.g. {@code node-b}
     * @param peers every node's control address, this node's included; the first coordinates
     * @param controlPort this node's control port, already bound (so a cluster on ephemeral ports
     *     can list every port before any node starts)
     * @param httpHost where the HTTP service listens
     * @param httpPort its port; 0 picks a free one
     * @param dataDir where the node keeps its state log
     * @param models version to model; the first is the baseline and gets all traffic on a fresh cluster
     */
    public record Options(String nodeId, Map<String, HostPort> peers, ControlPort controlPort, String httpHost,
                          int httpPort, Path dataDir, Map<String, Model> models) {
        public Options {
            Objects.requireNonNull(nodeId, "nodeId");
            peers = new LinkedHashMap<>(peers);
            Objects.requireNonNull(controlPort, "controlPort");
            Objects.requireNonNull(dataDir, "dataDir");
            models = new LinkedHashMap<>(models);
            if (!peers.containsKey(nodeId)) {
                throw new IllegalArgumentException("peers " + peers.keySet() + " must include this node " + nodeId);
            }
            if (models.size() < 2) {
                throw new IllegalArgumentException("a canary needs at least two model versions, got " + models.keySet());
            }
        }
    }

    private final CanaryNode node;
    private final HttpServer http;
    private final ExecutorService workers;
    private final Map<String, Model> models;

    private EmbeddedService(CanaryNode node, HttpServer http, ExecutorService workers, Map<String, Model> models) {
        this.node = node;
        this.http = http;
        this.workers = workers;
        this.models = models;
    }

    /** Starts the node (socket transport, state log) and the HTTP service. */
    public static EmbeddedService start(Options o) {
        List<String> versions = new ArrayList<>(o.models().keySet());
        SocketTransportConfig.Builder config = SocketTransportConfig.custom()
                .clusterId("embedded-example")
                .bindHost(o.controlPort().address().host())
                .peers(o.peers());
        // Every member must hold the same secret (canary secret generate > cluster.key); a control
        // port that other machines can reach refuses to start without one.
        String secretFile = System.getenv(SECRET_FILE_ENV);
        if (secretFile != null && !secretFile.isBlank()) {
            config.clusterSecret(ClusterSecret.read(Path.of(secretFile.trim())));
        }
        SocketTransport transport = new SocketTransport(config.build(), o.controlPort());
        CanaryNode node = CanaryNode.builder()
                .nodeId(o.nodeId())
                .members(List.copyOf(o.peers().keySet()))
                .transport(transport)
                .dataDir(o.dataDir())
                .initialState(RoutingState.initial(versions.get(0), versions.get(1)))
                .servableVersions(o.models().keySet())
                .build()
                .start();
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(o.httpHost(), o.httpPort()), 0);
            ExecutorService workers = Executors.newFixedThreadPool(8);
            EmbeddedService service = new EmbeddedService(node, http, workers, o.models());
            http.setExecutor(workers);
            http.createContext("/recommend", service::recommend);
            http.createContext("/canary/state", service::state);
            http.createContext("/canary/weights", service::weights);
            http.start();
            return service;
        } catch (IOException e) {
            node.close();
            throw new UncheckedIOException("cannot listen on " + o.httpHost() + ":" + o.httpPort(), e);
        }
    }

    /** The embedded node: route, record, propose, read health. */
    public CanaryNode node() {
        return node;
    }

    /** The HTTP port the service listens on. */
    public int httpPort() {
        return http.getAddress().getPort();
    }

    /** The heart of the example: route, call the chosen version, record what happened. */
    private void recommend(HttpExchange exchange) throws IOException {
        String user = query(exchange).get("user");
        String version = node.route(user);
        long start = System.nanoTime();
        boolean ok = false;
        String answer;
        try {
            answer = models.get(version).predict(user);
            ok = true;
        } catch (Exception e) {
            answer = String.valueOf(e.getMessage());
        } finally {
            node.record(version, System.nanoTime() - start, ok);
        }
        exchange.getResponseHeaders().add("X-Canary-Version", version);
        String json = ok
                ? "{\"version\":\"" + version + "\",\"node\":\"" + node.id() + "\",\"answer\":\"" + escape(answer) + "\"}"
                : "{\"version\":\"" + version + "\",\"node\":\"" + node.id() + "\",\"error\":\"" + escape(answer) + "\"}";
        respond(exchange, ok ? 200 : 502, json);
    }

    private void state(HttpExchange exchange) throws IOException {
        RoutingState s = node.state();
        respond(exchange, 200, "{\"version\":" + s.version() + ",\"weights\":" + weightsJson(s.weights())
                + ",\"ready\":" + node.isReady() + "}");
    }

    private void weights(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, "{\"error\":\"use POST\"}");
            return;
        }
        if (!exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
            respond(exchange, 403, "{\"error\":\"weights may be changed from this machine only\"}");
            return;
        }
        Map<String, Double> shares = new TreeMap<>();
        try {
            query(exchange).forEach((v, share) -> shares.put(v, Double.parseDouble(share)));
            RoutingState committed = node.proposeWeights(Weights.of(shares)).join();
            respond(exchange, 200, "{\"version\":" + committed.version() + ",\"weights\":" + weightsJson(committed.weights()) + "}");
        } catch (IllegalArgumentException e) {
            respond(exchange, 400, "{\"error\":\"" + escape(e.getMessage()) + "\"}");
        } catch (CompletionException e) {
            Throwable cause = e.getCause() instanceof ProposalFailedException ? e.getCause() : e;
            respond(exchange, 409, "{\"error\":\"" + escape(String.valueOf(cause.getMessage())) + "\"}");
        }
    }

    private static String weightsJson(Weights w) {
        StringBuilder sb = new StringBuilder("{");
        w.asMap().forEach((v, share) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(v).append("\":").append(share));
        return sb.append('}').toString();
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Stops the HTTP service, then the node (its transport and log). */
    @Override
    public void close() {
        http.stop(0);
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        node.close();
    }

    /** {@code [nodeId [peers [httpPort]]]}; default: node-a alone, control port 7001, HTTP port 8080. */
    public static void main(String[] args) throws InterruptedException {
        String nodeId = args.length > 0 ? args[0] : "node-a";
        Map<String, HostPort> peers = new LinkedHashMap<>();
        for (String entry : (args.length > 1 ? args[1] : "node-a=127.0.0.1:7001").split(",")) {
            String[] kv = entry.split("=", 2);
            peers.put(kv[0].trim(), HostPort.parse(kv[1].trim()));
        }
        int httpPort = args.length > 2 ? Integer.parseInt(args[2]) : 8080;
        Map<String, Model> models = new LinkedHashMap<>();
        models.put("v1", input -> "top picks for " + input + " (model v1)");
        models.put("v2", input -> "fresh picks for " + input + " (model v2)");
        HostPort self = peers.get(nodeId);
        // Reachable from other machines only when authenticated: with a secret on every interface, else on loopback.
        String controlHost = System.getenv(SECRET_FILE_ENV) != null ? "0.0.0.0" : self.host();
        EmbeddedService service = start(new Options(nodeId, peers, ControlPort.bind(controlHost, self.port()), "0.0.0.0",
                httpPort, Path.of("logs-example"), models));
        System.out.println(nodeId + " serving on http://localhost:" + service.httpPort() + "/recommend?user=42 (Ctrl+C stops)");
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        Thread.currentThread().join();
    }
}
