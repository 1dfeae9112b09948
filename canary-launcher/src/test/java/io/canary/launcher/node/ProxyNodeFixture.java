package io.canary.launcher.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.canary.launcher.CanaryCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * What the tests of a real node's proxy share: upstreams on loopback (JDK {@link HttpServer}s,
 * stopped by {@link #close}), the node's settings parsed from a command line as {@code canary node}
 * would, and a JDK client for the proxy port.
 */
final class ProxyNodeFixture implements AutoCloseable {
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<HttpServer> upstreams = new ArrayList<>();

    /** An upstream answering {@code status} with {@code answer}'s text for each request (its body read and dropped). */
    HttpServer upstream(int status, Function<HttpExchange, String> answer) {
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] b = answer.apply(ex).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        upstreams.add(s);
        return s;
    }

    static int port(HttpServer s) {
        return s.getAddress().getPort();
    }

    /** {@code canary node ARGS} parsed into settings. */
    static NodeSettings settings(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "node";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine.ParseResult parsed = CanaryCli.commandLine().parseArgs(all);
        return ((NodeCommand) parsed.subcommand().commandSpec().userObject()).settings(Map.of());
    }

    /** A one-node cluster "node-a" on ephemeral ports with its proxy in front of {@code v1} and {@code v2}, plus {@code more}. */
    static NodeSettings proxyNode(Path dir, HttpServer v1, HttpServer v2, String... more) {
        List<String> args = new ArrayList<>(List.of("--id", "node-a", "--peers", "node-a=127.0.0.1:1", "--control-port", "0",
                "--bind", "127.0.0.1", "--data-port", "0", "--data-dir", dir.toString(), "--proxy-port", "0",
                "--upstream", "v1=http://127.0.0.1:" + port(v1), "--upstream", "v2=http://127.0.0.1:" + port(v2)));
        args.addAll(List.of(more));
        return settings(args.toArray(new String[0]));
    }

    /** GET {@code pathAndQuery} on 127.0.0.1:{@code port}. */
    HttpResponse<String> get(int port, String pathAndQuery) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        upstreams.forEach(s -> s.stop(0));
    }
}
