package io.canary.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.launcher.proxy.ProxyStats.ClientFault;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad input and bad upstreams: each a clear error to the client, blamed on the right party, never stalling others. */
class ProxyFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private ProxyHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    @Test
    void oversizedHeadersGet431AndAreNotBlamedOnAnyVersion() throws Exception {
        h = ProxyHarness.start(b -> b.maxHeaderBytes(4096));
        try (RawHttp raw = h.raw()) {
            raw.send("GET /plain HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(8000) + "\r\n\r\n");
            RawHttp.Reply r = raw.read(false);
            assertThat(r.status()).isEqualTo(431);
            assertThat(r.header("content-type")).startsWith("application/json");
            assertThat(json(r.text()).get("error").asText()).contains("headers exceed the proxy's limit");
        }
        assertThat(h.v1().requests()).isEmpty();
        assertThat(h.stats.clientFaults(ClientFault.HEADERS_TOO_LARGE)).isEqualTo(1);
        assertThat(h.get("/plain").statusCode()).as("the next request is served").isEqualTo(200);
        h.awaitRecorded("v1", 1, 0);
    }

    @Test
    void aBodyDeclaredOverTheLimitGets413BeforeAnyUpstreamSeesIt() throws Exception {
        h = ProxyHarness.start(b -> b.maxBodyBytes(1000));
        HttpResponse<String> r = h.send(h.request("/echo").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1001])).build());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r.body()).get("error").asText()).isEqualTo("request body of 1001 bytes exceeds the proxy's limit of 1000 bytes");
        assertThat(h.v1().requests()).isEmpty();
        assertThat(h.send(h.request("/echo").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1000])).build()).statusCode())
                .isEqualTo(200);
        assertThat(h.stats.clientFaults(ClientFault.BODY_TOO_LARGE)).isEqualTo(1);
        h.awaitRecorded("v1", 1, 0);
    }

    @Test
    void aChunkedBodyThatGrowsOverTheLimitGets413AndIsNotBlamedOnTheVersion() throws Exception {
        h = ProxyHarness.start(b -> b.maxBodyBytes(1000));
        try (RawHttp raw = h.raw()) {
            raw.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 3; i++) {
                raw.send("258\r\n" + "x".repeat(600) + "\r\n");
            }
            raw.send("0\r\n\r\n");
            RawHttp.Reply r = raw.read(false);
            assertThat(r.status()).isEqualTo(413);
            assertThat(json(r.text()).get("error").asText()).isEqualTo("request body exceeds the proxy's limit of 1000 bytes");
        }
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> h.stats.clientFaults(ClientFault.BODY_TOO_LARGE) == 1);
        assertThat(h.node.recorded("v1")).containsExactly(0L, 0L);
    }

    @Test
    void aClientSilentMidBodyIsCutAfterTheClientTimeoutWithoutStallingOthersOrBlamingTheVersion() throws Exception {
        h = ProxyHarness.start(b -> b.clientTimeout(Duration.ofMillis(2000)).upstreamTimeout(Duration.ofSeconds(10)));
        try (RawHttp slow = h.raw()) {
            slow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
            for (int i = 0; i < 5; i++) {
                assertThat(h.get("/plain").statusCode()).isEqualTo(200);
            }
            assertThat(h.stats.clientFaults(ClientFault.CLIENT_TIMEOUT)).as("others were served while the slow one waits").isZero();
            // The slow client gets a 408 or, if the timeout closed the connection first, nothing more.
            try {
                RawHttp.Reply r = slow.read(false);
                assertThat(r.status()).isEqualTo(408);
            } catch (IOException closed) {
                // acceptable: the connection was closed
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.stats.clientFaults(ClientFault.CLIENT_TIMEOUT) == 1);
        h.awaitRecorded("v1", 5, 0);
    }

    @Test
    void aClientSilentMidHeadersIsDisconnectedAfterTheClientTimeout() throws Exception {
        h = ProxyHarness.start(b -> b.clientTimeout(Duration.ofMillis(500)));
        try (RawHttp slow = h.raw()) {
            slow.send("GET /plain HTTP/1.1\r\nHost: x\r\nX-Half");
            assertThat(slow.closedByPeer()).isTrue();
        }
        assertThat(h.v1().requests()).isEmpty();
    }

    @Test
    void anUpstreamThatRefusesGets502NamingItAndCountsAsAnErrorOfTheVersion() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        URI dead = URI.create("http://127.0.0.1:" + closedPort);
        h = ProxyHarness.start(b -> b.upstream(new UpstreamSpec("v3", List.of(dead))));
        h.node.routeTo = "v3";
        HttpResponse<String> r = h.get("/anything?x=1");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.headers().firstValue("X-Canary-Version")).contains("v3");
        JsonNode body = json(r.body());
        assertThat(body.get("error").asText()).isEqualTo("upstream v3 at " + dead + " refused the connection");
        assertThat(body.get("version").asText()).isEqualTo("v3");
        assertThat(body.get("node").asText()).isEqualTo("node-a");
        h.awaitRecorded("v3", 1, 1);
    }

    @Test
    void anUpstreamThatHangsGets504AfterItsTimeoutWhileOtherRequestsAreServed() throws Exception {
        h = ProxyHarness.start(b -> b.upstreamTimeout(Duration.ofMillis(2500)));
        List<CompletableFuture<HttpResponse<String>>> hanging = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            hanging.add(h.client.sendAsync(h.request("/hang").GET().build(), HttpResponse.BodyHandlers.ofString()));
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> h.v1().inFlight.get() == 20);
        for (int i = 0; i < 20; i++) {
            assertThat(h.get("/plain").statusCode()).isEqualTo(200);
        }
        assertThat(hanging).as("others were served while the hanging ones still wait").noneMatch(CompletableFuture::isDone);
        for (CompletableFuture<HttpResponse<String>> f : hanging) {
            HttpResponse<String> r = f.get();
            assertThat(r.statusCode()).isEqualTo(504);
            assertThat(json(r.body()).get("error").asText()).isEqualTo("upstream v1 at " + h.v1().uri() + " did not answer within 2500 ms");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
        h.awaitRecorded("v1", 40, 20);
    }

    @Test
    void anUpstreamThatResetsMidBodyCutsTheClientsAnswerAndCountsAsAnError() throws Exception {
        h = ProxyHarness.start();
        assertThatThrownBy(() -> h.client.send(h.request("/reset").GET().build(), HttpResponse.BodyHandlers.ofByteArray()))
                .isInstanceOf(IOException.class);
        try (RawHttp raw = h.raw()) {
            raw.send("GET /reset HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Reply r;
            try {
                r = raw.read(false);
            } catch (IOException truncated) {
                r = null;
            }
            // Either the read failed on the truncated body, or it got fewer bytes than announced.
            if (r != null) {
                assertThat(r.body().length).isLessThan(1_000_000);
            }
        }
        h.awaitRecorded("v1", 2, 2);
        assertThat(h.get("/plain").statusCode()).isEqualTo(200);
    }

    @Test
    void aVersionWithoutUpstreamGets502AndCountsAsItsError() throws Exception {
        h = ProxyHarness.start();
        h.node.routeTo = "v9";
        HttpResponse<String> r = h.get("/x");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(json(r.body()).get("error").asText()).isEqualTo("no upstream serves version v9 on node-a");
        h.awaitRecorded("v9", 1, 1);
    }
}
