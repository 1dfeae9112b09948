package io.canary.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 on the wire where an engine must do the work itself: pipelined requests (answered in
 * order, one exchange at a time), an HTTP/1.0 client (no chunks, the connection closes), and
 * {@code Expect: 100-continue} (answered by the proxy before the body is sent).
 */
class WireEdgesTest {
    private ProxyHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        h = ProxyHarness.start();
        try (RawHttp raw = h.raw()) {
            raw.send("GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo/second HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nbody-2"
                    + "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Reply first = raw.read(false);
            RawHttp.Reply second = raw.read(false);
            RawHttp.Reply third = raw.read(false);
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.header("x-echo-uri")).as("the slow answer came first").isEqualTo("/echo/second");
            assertThat(second.text()).isEqualTo("body-2");
            assertThat(third.text()).isEqualTo("ok v1");
        }
        h.awaitRecorded("v1", 3, 0);
    }

    @Test
    void anHttp10ClientGetsAnUnchunkedBodyAndTheConnectionCloses() throws Exception {
        h = ProxyHarness.start();
        try (RawHttp raw = h.raw()) {
            raw.send("GET /stream?bytes=5000 HTTP/1.0\r\n\r\n");
            raw.read(false).assertStreamed(5000, false);
            assertThat(raw.closedByPeer()).isTrue();
        }
        h.awaitRecorded("v1", 1, 0);
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBodyIsSent() throws Exception {
        h = ProxyHarness.start();
        try (RawHttp raw = h.raw()) {
            raw.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertThat(raw.read(false).status()).isEqualTo(100);
            raw.send("hello");
            RawHttp.Reply r = raw.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello");
        }
        assertThat(h.v1().requests().get(0).headers()).doesNotContainKey("expect");
        h.awaitRecorded("v1", 1, 0);
    }
}
