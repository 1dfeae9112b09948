package io.canary.bench.dataplane;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Where the node's proxy time goes, without Canary: a bare Javalin server (the same Javalin and
 * Jetty as the node) that forwards {@code POST /async} and {@code POST /blocking} to one upstream
 * with the JDK HttpClient. {@code /async} completes the request from the client's future as
 * Canary's {@code /predict} does; {@code /blocking} waits for the upstream on the Jetty thread.
 * No routing, no health recording, no JSON. Usage: {@code ProxyVariants UPSTREAM_URL PORT SECONDS}.
 */
public final class ProxyVariants {
    private ProxyVariants() {
    }

    public static void main(String[] args) throws Exception {
        URI upstream = URI.create(args[0]);
        int port = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Javalin app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.host = "127.0.0.1";
            cfg.jetty.port = port;
            cfg.routes.post("/async", ctx -> ctx.future(() -> http
                    .sendAsync(request(upstream, ctx.body()), HttpResponse.BodyHandlers.ofString())
                    .thenAccept(r -> ctx.status(r.statusCode()).result(r.body()))));
            cfg.routes.post("/blocking", ctx -> {
                HttpResponse<String> r = http.send(request(upstream, ctx.body()), HttpResponse.BodyHandlers.ofString());
                ctx.status(r.statusCode()).result(r.body());
            });
        }).start();
        System.out.println("listening on 127.0.0.1:" + app.port());
        // Bounded: the benchmark script stops it, and it stops by itself anyway.
        new CountDownLatch(1).await(seconds, java.util.concurrent.TimeUnit.SECONDS);
        app.stop();
    }

    private static HttpRequest request(URI upstream, String body) {
        return HttpRequest.newBuilder(upstream).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
