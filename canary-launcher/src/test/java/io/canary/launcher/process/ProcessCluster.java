package io.canary.launcher.process;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.canary.launcher.CanaryCli;
import io.canary.launcher.http.HttpTestClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Three {@code canary node} processes on loopback, started as the deployment guide starts them (one
 * command each, node-a with {@code --role coordinator}), with the default protocol timings unless a
 * test adds options. Every process it started is killed on {@link #close}.
 */
final class ProcessCluster implements AutoCloseable {
    static final List<String> IDS = List.of("node-a", "node-b", "node-c");
    static final Duration WAIT = Duration.ofSeconds(60);

    /** What {@code canary query} printed and its exit code. */
    record Query(int code, String out, String err) {
    }

    private final Path work;
    private final List<String> extraArgs;
    private final Map<String, Integer> controlPorts = new LinkedHashMap<>();
    private final Map<String, NodeJvm> nodes = new LinkedHashMap<>();
    private final Map<String, HttpTestClient> clients = new LinkedHashMap<>();
    private final Map<String, Integer> dataPorts = new LinkedHashMap<>();
    private final List<NodeJvm> all = new ArrayList<>();

    /** @param extraArgs options every node gets after the reference ones (models, timings) */
    ProcessCluster(Path work, List<String> extraArgs) {
        this.work = work;
        this.extraArgs = List.copyOf(extraArgs);
        for (String id : IDS) {
            controlPorts.put(id, NodeJvm.freePort());
        }
    }

    private List<String> args(String id) {
        StringBuilder peers = new StringBuilder();
        controlPorts.forEach((n, p) -> peers.append(peers.length() == 0 ? "" : ",").append(n).append("=127.0.0.1:").append(p));
        List<String> a = new ArrayList<>(id.equals("node-a") ? List.of("--role", "coordinator")
                : List.of("--role", "participant", "--id", id));
        a.addAll(List.of("--peers", peers.toString(), "--bind", "127.0.0.1", "--data-port", "0",
                "--data-dir", work.resolve("logs").toString()));
        a.addAll(extraArgs);
        return a;
    }

    NodeJvm start(String id) {
        NodeJvm jvm = NodeJvm.start(work, args(id));
        track(id, jvm);
        return jvm;
    }

    /** Runs the node's own command again, as an operator does after a crash. */
    NodeJvm restart(String id) {
        NodeJvm jvm = nodes.get(id).restart(work);
        track(id, jvm);
        return jvm;
    }

    private void track(String id, NodeJvm jvm) {
        all.add(jvm);
        nodes.put(id, jvm);
        int port = jvm.awaitDataPort();
        dataPorts.put(id, port);
        clients.put(id, new HttpTestClient(port));
    }

    /** Starts all three and waits until each is ready and node-a sees every member reachable. */
    void startAll() {
        IDS.forEach(this::start);
        for (String id : IDS) {
            await().atMost(WAIT).until(() -> client(id).get("/ready").status() == 200);
        }
        await().atMost(WAIT).until(() -> {
            for (JsonNode n : cluster("node-a").get("nodes")) {
                if (!n.get("reachable").asBoolean()) {
                    return false;
                }
            }
            return true;
        });
    }

    NodeJvm node(String id) {
        return nodes.get(id);
    }

    HttpTestClient client(String id) {
        return clients.get(id);
    }

    int dataPort(String id) {
        return dataPorts.get(id);
    }

    JsonNode state(String id) {
        return client(id).get("/routing/state").json();
    }

    JsonNode cluster(String id) {
        return client(id).get("/cluster").json();
    }

    /** The committed share of {@code version} on node {@code id}, 0 if the version has none. */
    double weight(String id, String version) {
        JsonNode w = state(id).get("weights").get(version);
        return w == null ? 0 : w.asDouble();
    }

    /** {@code canary query} against the given nodes, as an operator runs it. */
    Query query(List<String> ids) {
        StringBuilder nodesArg = new StringBuilder();
        for (String id : ids) {
            nodesArg.append(nodesArg.length() == 0 ? "" : ",").append(id).append("=http://127.0.0.1:").append(dataPort(id));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CanaryCli.run(new PrintWriter(out, true), new PrintWriter(err, true), "query", "--nodes", nodesArg.toString());
        return new Query(code, out.toString(), err.toString());
    }

    @Override
    public void close() {
        all.forEach(NodeJvm::close);
    }
}
