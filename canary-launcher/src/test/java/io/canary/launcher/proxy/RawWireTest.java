package io.canary.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.launcher.proxy.ProxyStats.ClientFault;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty engine's raw forwarding, checked byte for byte on both wires (a {@link ScriptedUpstream}
 * sees exactly what the proxy sent, {@link RawHttp} exactly what the client got): field names keep
 * their spelling, order and repeats; hop-by-hop fields, including those a {@code Connection} field
 * names, never cross; chunked bodies keep their framing (extensions, trailers) both ways; pipelined
 * requests with bodies; heads and bodies split across reads; the head limit (431) even when the head
 * comes in pieces; HTTP/1.0 clients; requests that could be read two ways (smuggling) refused; an
 * answer framed by the upstream closing; the answer to {@code HEAD} has no body.
 */
class RawWireTest {
    private final FakeProxyNode node = new FakeProxyNode();
    private final ProxyStats stats = new ProxyStats();
    private ScriptedUpstream up;
    private ProxyServer proxy;

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (up != null) {
            up.close();
        }
    }

    private void start(Function<String, String> script, UnaryOperator<ProxySettings.Builder> configure) throws IOException {
        up = new ScriptedUpstream(script);
        proxy = ProxyServer.start(configure.apply(ProxySettings.builder().bindHost("127.0.0.1").port(0)
                .upstream(new UpstreamSpec("v1", List.of(up.uri())))).build(), node, stats);
    }

    private void start(Function<String, String> script) throws IOException {
        start(script, b -> b);
    }

    private RawHttp client() throws IOException {
        return new RawHttp(proxy.port());
    }

    private static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /** An upstream that answers each request with its body's bytes as they came (framing included). */
    private static String echo(String request) {
        return ok(request.substring(request.indexOf("\r\n\r\n") + 4));
    }

    private void awaitRecorded(long requests, long errors) {
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(node.recorded("v1")).containsExactly(requests, errors));
    }

    @Test
    void fieldNamesKeepTheirSpellingOrderAndRepeatsBothWays() throws Exception {
        start(r -> "HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\nX-Dup: 1\r\nSet-Cookie: a=1\r\nX-Dup: 2\r\n\r\nok");
        try (RawHttp raw = client()) {
            raw.send("GET /p?q=%41&b HTTP/1.1\r\nHost: app\r\nx-CuStOm: a\r\nAccept: */*\r\nX-CUSTOM:  b \r\n\r\n");
            RawHttp.Reply r = raw.read(false);
            assertThat(r.text()).isEqualTo("ok");
            assertThat(raw.lastHead).startsWith("HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\nX-Dup: 1\r\nSet-Cookie: a=1\r\nX-Dup: 2\r\n")
                    .contains("X-Canary-Version: v1\r\n");
        }
        String seen = up.requests.get(0);
        assertThat(seen).startsWith("GET /p?q=%41&b HTTP/1.1\r\nHost: app\r\nx-CuStOm: a\r\nAccept: */*\r\nX-CUSTOM: b\r\n")
                .contains("X-Forwarded-For: 127.0.0.1\r\n", "X-Forwarded-Proto: http\r\n", "X-Forwarded-Host: app\r\n",
                        "Via: 1.1 node-a\r\n")
                .endsWith("\r\n\r\n");
        awaitRecorded(1, 0);
    }

    @Test
    void hopByHopFieldsAndThoseConnectionNamesNeverCrossEitherWay() throws Exception {
        start(r -> "HTTP/1.1 200 OK\r\nConnection: X-Internal, keep-alive\r\nX-Internal: i\r\nKeep-Alive: timeout=5\r\n"
                + "X-Canary-Version: spoofed\r\nX-Kept: k\r\nContent-Length: 2\r\n\r\nok");
        try (RawHttp raw = client()) {
            raw.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: x-secret, Upgrade\r\nX-Secret: s\r\nUpgrade: h2c\r\nTE: trailers\r\n"
                    + "Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\nKeep-Alive: 5\r\nTrailer: X-T\r\n"
                    + "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\nVia: 1.0 edge\r\nX-Keep: k\r\n\r\n");
            assertThat(raw.read(false).text()).isEqualTo("ok");
            String head = raw.lastHead.toLowerCase(Locale.ROOT);
            assertThat(head).doesNotContain("x-internal", "keep-alive", "connection:", "spoofed").contains("x-kept: k\r\n");
            assertThat(head.split("x-canary-version: v1\r\n", -1)).as("our version, once").hasSize(2);
            raw.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(raw.read(false).text()).as("the connection stays open").isEqualTo("ok");
        }
        String seen = up.requests.get(0);
        assertThat(seen.toLowerCase(Locale.ROOT)).doesNotContain("x-secret", "upgrade", "\r\nte:", "proxy-", "keep-alive",
                "connection:", "trailer:");
        assertThat(seen).contains("X-Keep: k\r\n", "X-Forwarded-For: 10.0.0.1, 10.0.0.2, 127.0.0.1\r\n", "Via: 1.0 edge, 1.1 node-a\r\n");
        awaitRecorded(2, 0);
    }

    @Test
    void chunkedBodiesKeepTheirFramingExtensionsAndTrailersBothWays() throws Exception {
        start(r -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 5\r\n\r\n");
        try (RawHttp raw = client()) {
            raw.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n");
            String wire = raw.readUntil("0\r\nX-Sum: 5\r\n\r\n");
            assertThat(wire).startsWith("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n")
                    .endsWith("\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 5\r\n\r\n");
        }
        assertThat(up.requests.get(0)).contains("\r\nTransfer-Encoding: chunked\r\n")
                .endsWith("\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n");
        awaitRecorded(1, 0);
    }

    @Test
    void pipelinedRequestsWithBothKindsOfBodyAreForwardedInOrder() throws Exception {
        start(RawWireTest::echo);
        try (RawHttp raw = client()) {
            raw.send("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\none"
                    + "POST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n"
                    + "GET /c HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "PUT /d HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nfour");
            assertThat(raw.read(false).text()).isEqualTo("one");
            assertThat(raw.read(false).text()).isEqualTo("3\r\ntwo\r\n0\r\n\r\n");
            assertThat(raw.read(false).text()).isEmpty();
            assertThat(raw.read(false).text()).isEqualTo("four");
        }
        assertThat(up.requests).extracting(r -> r.substring(0, r.indexOf(" HTTP/1.1")))
                .containsExactly("POST /a", "POST /b", "GET /c", "PUT /d");
        awaitRecorded(4, 0);
    }

    @Test
    void aHeadAndABodySplitAcrossReadsAnywhereAreReadWhole() throws Exception {
        start(RawWireTest::echo);
        String request = "POST /split HTTP/1.1\r\nHost: a\r\nX-Long: " + "v".repeat(300)
                + "\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwxyz\r\n0\r\n\r\n";
        List<String> cuts = List.of("POST /sp", "Host: a\r", "\r\n\r", "\r\n\r\n4\r", "wxyz\r\n0\r\n\r");
        try (RawHttp raw = client()) {
            for (String cut : cuts) {
                int at = request.indexOf(cut) + cut.length();
                raw.send(request.substring(0, at));
                Thread.sleep(40); // the rest comes in another read
                raw.send(request.substring(at));
                assertThat(raw.read(false).text()).as("cut after %s", cut).isEqualTo("4\r\nwxyz\r\n0\r\n\r\n");
            }
        }
        assertThat(up.requests).hasSize(cuts.size()).allSatisfy(r -> assertThat(r).startsWith("POST /split HTTP/1.1\r\n"));
        awaitRecorded(cuts.size(), 0);
    }

    @Test
    void aHeadOverTheLimitIs431EvenWhenItComesInPiecesAndOneJustUnderIsServed() throws Exception {
        start(r -> ok("fine"), b -> b.maxHeaderBytes(1024));
        try (RawHttp raw = client()) {
            String under = "GET /under HTTP/1.1\r\nHost: a\r\nX-Pad: ";
            raw.send(under + "p".repeat(1024 - under.length() - 4) + "\r\n\r\n");
            assertThat(raw.read(false).text()).isEqualTo("fine");
        }
        try (RawHttp raw = client()) {
            raw.send("GET /over HTTP/1.1\r\nHost: a\r\nX-Pad: " + "p".repeat(600));
            Thread.sleep(40);
            raw.send("p".repeat(600));
            RawHttp.Reply r = raw.read(false);
            assertThat(r.status()).isEqualTo(431);
            assertThat(r.text()).contains("headers exceed the proxy's limit (1024 bytes)");
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertThat(up.requests).hasSize(1);
        assertThat(stats.clientFaults(ClientFault.HEADERS_TOO_LARGE)).isEqualTo(1);
        awaitRecorded(1, 0);
    }

    @Test
    void http10ClientsGetAHostUpstreamAndKeepAliveOnlyIfTheyAskForIt() throws Exception {
        start(r -> ok("ten"));
        try (RawHttp raw = client()) {
            raw.send("GET /ten HTTP/1.0\r\n\r\n");
            RawHttp.Reply r = raw.read(false);
            assertThat(r.text()).isEqualTo("ten");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(raw.closedByPeer()).isTrue();
        }
        try (RawHttp raw = client()) {
            raw.send("GET /ten HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(raw.read(false).header("connection")).isEqualTo("keep-alive");
            raw.send("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(raw.read(false).text()).as("the same connection").isEqualTo("ten");
        }
        String seen = up.requests.get(0);
        assertThat(seen).startsWith("GET /ten HTTP/1.1\r\n").contains("\r\nHost: 127.0.0.1:" + up.uri().getPort() + "\r\n")
                .doesNotContain("X-Forwarded-Host");
        awaitRecorded(3, 0);
    }

    @Test
    void requestsThatCouldBeReadTwoWaysAreRefusedBeforeAnyUpstreamSeesThem() throws Exception {
        start(r -> ok("never"));
        List<String> bad = List.of(
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nxyz",
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                "GET / HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n b\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nX-Bare: a\rb\r\n\r\n",
                "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n");
        for (String request : bad) {
            try (RawHttp raw = client()) {
                raw.send(request);
                assertThat(raw.read(false).status()).as(request).isEqualTo(400);
                assertThat(raw.closedByPeer()).isTrue();
            }
        }
        try (RawHttp raw = client()) {
            raw.send("GET / HTTP/2.0\r\nHost: a\r\n\r\n");
            assertThat(raw.read(false).status()).isEqualTo(505);
        }
        try (RawHttp raw = client()) {
            raw.send("POST / HTTP/1.1\r\nHost: a\r\nExpect: something\r\nContent-Length: 1\r\n\r\nx");
            assertThat(raw.read(false).status()).isEqualTo(417);
        }
        assertThat(up.requests).isEmpty();
        assertThat(stats.clientFaults(ClientFault.CLIENT_ABORTED)).isEqualTo(bad.size() + 2);
        assertThat(node.recorded("v1")).containsExactly(0L, 0L);
    }

    @Test
    void anAnswerEndedByTheUpstreamClosingReachesAnHttp11ClientChunkedOnAKeptConnection() throws Exception {
        start(r -> "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil-the-end" + ScriptedUpstream.CLOSE);
        try (RawHttp raw = client()) {
            raw.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Reply r = raw.read(false);
            assertThat(r.chunked()).isTrue();
            assertThat(r.text()).isEqualTo("until-the-end");
            raw.send("GET /two HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(raw.read(false).text()).isEqualTo("until-the-end");
        }
        assertThat(up.connections).as("a closed upstream connection is not reused").hasSize(2);
        awaitRecorded(2, 0);
    }

    @Test
    void theAnswerToHeadHasNoBodyAndTheUpstreamConnectionIsReusedInStep() throws Exception {
        start(r -> r.startsWith("HEAD ") ? "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" : ok("after"));
        try (RawHttp raw = client()) {
            raw.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Reply head = raw.read(true);
            assertThat(head.header("content-length")).isEqualTo("10");
            raw.send("GET /g HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(raw.read(false).text()).isEqualTo("after");
        }
        assertThat(up.connections).hasSize(1);
        awaitRecorded(2, 0);
    }

    @Test
    void aMalformedAnswerIs502AndAnErrorOfTheVersion() throws Exception {
        start(r -> "HTTP/1.1 2x0 Nonsense\r\n\r\n");
        try (RawHttp raw = client()) {
            raw.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Reply r = raw.read(false);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("x-canary-version")).isEqualTo("v1");
        }
        awaitRecorded(1, 1);
    }
}
