package io.canary.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The proxy is transparent: methods, paths, queries, bodies, headers and statuses pass both ways. */
class ProxyCorrectnessTest {
    private ProxyHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void everyMethodPathAndRawQueryReachesTheRoutedVersionUnchanged() {
        h = ProxyHarness.start();
        h.node.routeTo = "v2";
        String target = "/echo/a%20b/c%2Fd;p=1?x=1&y=%2F%20&z&x=2";
        for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            HttpResponse<String> r = h.send(h.request(target).method(method, HttpRequest.BodyPublishers.ofString("b-" + method)).build());
            assertThat(r.statusCode()).as(method).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Echo-Method")).as(method).contains(method);
            assertThat(r.headers().firstValue("X-Echo-Uri")).as(method).contains(target);
            assertThat(r.headers().firstValue("X-Upstream")).as(method).contains("v2");
            assertThat(r.headers().firstValue("X-Canary-Version")).as(method).contains("v2");
            assertThat(r.body()).as(method).isEqualTo("b-" + method);
        }
        HttpResponse<String> head = h.send(h.request(target).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("X-Echo-Method")).contains("HEAD");
        assertThat(h.v1().requests()).isEmpty();
        h.awaitRecorded("v2", 7, 0);
    }

    @Test
    void largeBodiesStreamBothWaysByteForByte() throws Exception {
        h = ProxyHarness.start();
        byte[] body = new byte[12 * 1024 * 1024];
        new Random(42).nextBytes(body);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));

        HttpResponse<byte[]> fixed = h.client.send(h.request("/echo").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(fixed.statusCode()).isEqualTo(200);
        assertThat(fixed.headers().firstValue("X-Echo-Sha256")).contains(sha);
        assertThat(fixed.body()).isEqualTo(body);

        // A body of unknown length: the JDK client sends it chunked.
        HttpResponse<byte[]> chunked = h.client.send(h.request("/echo?chunked")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(chunked.headers().firstValue("X-Echo-Length")).contains(Long.toString(body.length));
        assertThat(chunked.headers().firstValue("X-Echo-Sha256")).contains(sha);
        assertThat(chunked.body()).isEqualTo(body);

        long size = 64L * 1024 * 1024;
        HttpResponse<InputStream> big = h.client.send(h.request("/stream?bytes=" + size).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long n = 0;
        boolean same = true;
        try (InputStream in = big.body()) {
            byte[] buf = new byte[65_536];
            for (int r; (r = in.read(buf)) > 0; ) {
                for (int i = 0; i < r && same; i++) {
                    same = buf[i] == TestUpstream.pattern(n + i);
                }
                n += r;
            }
        }
        assertThat(n).isEqualTo(size);
        assertThat(same).as("the streamed bytes are the upstream's").isTrue();
        h.awaitRecorded("v1", 3, 0);
    }

    @Test
    void chunkedAnswersStayChunkedOnTheWire() throws Exception {
        h = ProxyHarness.start();
        try (RawHttp raw = h.raw()) {
            raw.send("GET /stream?bytes=100000 HTTP/1.1\r\nHost: app.example\r\n\r\n");
            raw.read(false).assertStreamed(100_000, true);
            // Keep-alive: a second request on the same connection.
            raw.send("GET /plain HTTP/1.1\r\nHost: app.example\r\n\r\n");
            assertThat(raw.read(false).text()).isEqualTo("ok v1");
        }
    }

    @Test
    void headersPassThroughWithForwardingHeadersAddedAndHopByHopDropped() throws Exception {
        h = ProxyHarness.start();
        try (RawHttp raw = h.raw()) {
            raw.send("GET /plain?q=1 HTTP/1.1\r\nHost: app.example:8080\r\nX-Custom: a\r\nX-Custom: b\r\n"
                    + "Authorization: Bearer t\r\nCookie: session=1\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\n"
                    + "Keep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\n"
                    + "X-Forwarded-For: 10.1.2.3\r\nVia: 1.0 edge\r\n\r\n");
            RawHttp.Reply r = raw.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-canary-version")).isEqualTo("v1");
        }
        TestUpstream.Seen seen = h.v1().requests().get(0);
        assertThat(seen.header("host")).isEqualTo("app.example:8080");
        assertThat(seen.headers().get("x-custom")).containsExactly("a", "b");
        assertThat(seen.header("authorization")).isEqualTo("Bearer t");
        assertThat(seen.header("cookie")).isEqualTo("session=1");
        assertThat(seen.header("x-forwarded-for")).isEqualTo("10.1.2.3, 127.0.0.1");
        assertThat(seen.header("x-forwarded-proto")).isEqualTo("http");
        assertThat(seen.header("x-forwarded-host")).isEqualTo("app.example:8080");
        assertThat(seen.header("via")).isEqualTo("1.0 edge, 1.1 node-a");
        assertThat(seen.headers()).doesNotContainKeys("x-hop", "keep-alive", "te", "proxy-authorization");
    }

    @Test
    void statusCodesAndRepeatedResponseHeadersPassThrough() throws Exception {
        h = ProxyHarness.start();
        for (int status : List.of(200, 201, 202, 204, 301, 304, 400, 404, 409, 418, 429, 500, 503)) {
            try (RawHttp raw = h.raw()) {
                raw.send("GET /status/" + status + " HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Reply r = raw.read(false);
                assertThat(r.status()).isEqualTo(status);
                assertThat(r.header("x-upstream")).isEqualTo("v1");
                assertThat(r.headers().stream().filter(x -> x[0].equals("x-custom")).map(x -> x[1]))
                        .as("repeated header of %d", status).containsExactly("one", "two");
                if (status != 204 && status != 304) {
                    assertThat(r.text()).isEqualTo("status " + status);
                }
            }
        }
        // Health: the two 5xx answers are errors of v1, the rest are not.
        h.awaitRecorded("v1", 13, 2);
    }

    @Test
    void severalEndpointsOfAVersionAreBalancedRoundRobin() {
        h = new ProxyHarness();
        TestUpstream a = h.upstream("v1-a");
        TestUpstream b = h.upstream("v1-b");
        h.proxy = ProxyServer.start(ProxySettings.builder().bindHost("127.0.0.1").port(0)
                .upstream(new UpstreamSpec("v1", List.of(a.uri(), b.uri()))).build(), h.node, h.stats);
        for (int i = 0; i < 10; i++) {
            assertThat(h.get("/x").headers().firstValue("X-Upstream")).contains(i % 2 == 0 ? "v1-a" : "v1-b");
        }
        h.awaitRecorded("v1", 10, 0);
    }
}
