package io.canary.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * 1,000 concurrent keep-alive client connections are held and served, twice each. The upstream is a
 * Jetty server here: the JDK's test server closes idle connections beyond 200 and is not what is
 * under test.
 */
class ManyConnectionsTest {

    @Test
    void aThousandKeepAliveConnectionsAreHeldAndEachServesTwoRequests() throws Exception {
        int n = 1000;
        Server upstream = new Server();
        ServerConnector connector = new ServerConnector(upstream);
        connector.setHost("127.0.0.1");
        connector.setAcceptQueueSize(1024);
        upstream.addConnector(connector);
        upstream.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, ByteBuffer.wrap("ok v1".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        upstream.start();
        FakeProxyNode node = new FakeProxyNode();
        ProxyServer proxy = ProxyServer.start(ProxySettings.builder().bindHost("127.0.0.1").port(0)
                .upstream(new UpstreamSpec("v1", List.of(java.net.URI.create("http://127.0.0.1:" + connector.getLocalPort()))))
                .upstreamTimeout(Duration.ofSeconds(10)).build(), node, new ProxyStats());
        List<RawHttp> connections = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                connections.add(new RawHttp(proxy.port()));
            }
            for (int round = 0; round < 2; round++) {
                // Every connection has a request in flight before any answer is read.
                for (int i = 0; i < n; i++) {
                    connections.get(i).send("GET /plain?c=" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
                }
                for (int i = 0; i < n; i++) {
                    RawHttp.Reply r = connections.get(i).read(false);
                    assertThat(r.status()).as("connection %d round %d: %s", i, round, r.text()).isEqualTo(200);
                    assertThat(r.text()).isEqualTo("ok v1");
                }
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> node.recorded("v1").equals(List.of(2L * n, 0L)));
        } finally {
            for (RawHttp c : connections) {
                c.close();
            }
            proxy.close();
            upstream.stop();
        }
    }
}
