package io.canary.launcher.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A proxy on 127.0.0.1:0 in front of test upstreams, a fake node, and a JDK client to call it. */
final class ProxyHarness implements AutoCloseable {
    final FakeProxyNode node = new FakeProxyNode();
    final ProxyStats stats = new ProxyStats();
    final List<TestUpstream> upstreams = new ArrayList<>();
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    ProxyServer proxy;

    /** Upstream v1 (one endpoint) and v2 (one endpoint), unless the settings say otherwise. */
    static ProxyHarness start(UnaryOperator<ProxySettings.Builder> configure) {
        ProxyHarness h = new ProxyHarness();
        TestUpstream v1 = h.upstream("v1");
        TestUpstream v2 = h.upstream("v2");
        ProxySettings.Builder b = ProxySettings.builder().bindHost("127.0.0.1").port(0)
                .upstream(new UpstreamSpec("v1", List.of(v1.uri())))
                .upstream(new UpstreamSpec("v2", List.of(v2.uri())));
        h.proxy = ProxyServer.start(configure.apply(b).build(), h.node, h.stats);
        return h;
    }

    static ProxyHarness start() {
        return start(b -> b);
    }

    TestUpstream upstream(String name) {
        TestUpstream u = TestUpstream.start(name);
        upstreams.add(u);
        return u;
    }

    TestUpstream v1() {
        return upstreams.get(0);
    }

    TestUpstream v2() {
        return upstreams.get(1);
    }

    int port() {
        return proxy.port();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
    }

    HttpResponse<String> get(String pathAndQuery) {
        return send(request(pathAndQuery).GET().build());
    }

    HttpResponse<String> send(HttpRequest r) {
        try {
            return client.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Recording happens once the last byte is written, which the client may see first: poll. */
    void awaitRecorded(String version, long requests, long errors) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> org.assertj.core.api.Assertions.assertThat(node.recorded(version))
                        .as("{requests, errors} recorded for %s", version).containsExactly(requests, errors));
    }

    RawHttp raw() {
        try {
            return new RawHttp(port());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (proxy != null) {
            proxy.close();
        }
        upstreams.forEach(TestUpstream::close);
    }
}
