package io.canary.launcher.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.canary.health.HealthSnapshot;
import io.canary.launcher.LauncherException;
import io.canary.launcher.proxy.ProxySettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code canary node --proxy-port ... --upstream ...}: a real node routes proxied traffic and measures it per version. */
class ProxyThroughNodeTest {
    @TempDir
    Path dir;
    private final ProxyNodeFixture f = new ProxyNodeFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    private HttpServer upstream(String name, int status) {
        return f.upstream(status, ex -> name + " " + ex.getRequestURI());
    }

    @Test
    void proxiedTrafficFollowsTheWeightsAndIsRecordedPerVersionInTheNodesHealth() throws Exception {
        NodeSettings s = ProxyNodeFixture.proxyNode(dir, upstream("v1", 200), upstream("v2", 503), "--initial-weights", "v1=0.7,v2=0.3",
                // Why a long window: on a loaded machine 400 requests can outlast the default one, and the
                // counts below are the window's; none of them may have rolled out of it.
                "--health-window", "10m");
        try (NodeProcess node = NodeProcess.start(s, SocketTransports.factory(), NodeConsole.silent("node-a"))) {
            int port = node.proxy().orElseThrow().port();
            int n = 400;
            int servedByV2 = 0;
            for (int i = 0; i < n; i++) {
                HttpResponse<String> r = f.get(port, "/score?i=" + i);
                String version = r.headers().firstValue("X-Canary-Version").orElseThrow();
                assertThat(r.body()).isEqualTo(version + " /score?i=" + i);
                assertThat(r.statusCode()).isEqualTo(version.equals("v1") ? 200 : 503);
                servedByV2 += version.equals("v2") ? 1 : 0;
            }
            // 30% of 400 within 4 standard deviations (sd = 9.2).
            assertThat(servedByV2).isBetween(120 - 37, 120 + 37);
            int v2Count = servedByV2;
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HealthSnapshot h = node.node().health();
                assertThat(h.version("v1").requests()).isEqualTo(n - v2Count);
                assertThat(h.version("v1").errors()).isZero();
                assertThat(h.version("v2").requests()).isEqualTo(v2Count);
                assertThat(h.version("v2").errors()).as("503s are errors of v2").isEqualTo(v2Count);
            });
            assertThat(node.node().health().version("v1").latency().totalCount()).isEqualTo(n - v2Count);
        }
    }

    @Test
    void metricsCountPinnedRequestsClientFaultsAndMirrorCopiesPerVersion() throws Exception {
        NodeSettings s = ProxyNodeFixture.proxyNode(dir, upstream("v1", 200), upstream("v2", 500), "--initial-weights", "v1=1.0,v2=0.0", "--mirror", "v2=100%", "--proxy-max-body", "1k", "--proxy-max-header", "2k");
        try (NodeProcess node = NodeProcess.start(s, SocketTransports.factory(), NodeConsole.silent("node-a"))) {
            String proxy = "http://127.0.0.1:" + node.proxy().orElseThrow().port();
            HttpClient client = f.client;
            for (int i = 0; i < 3; i++) { // pinned to v2 by the default header rule: v2 answers 500 to each
                assertThat(client.send(HttpRequest.newBuilder(URI.create(proxy + "/pinned")).header("X-Canary-Version", "v2").build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(500);
            }
            for (int i = 0; i < 4; i++) { // to v1, each copied to v2, where every copy fails
                assertThat(client.send(HttpRequest.newBuilder(URI.create(proxy + "/mirrored")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            }
            assertThat(client.send(HttpRequest.newBuilder(URI.create(proxy + "/big")).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2048]))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(413);
            assertThat(client.send(HttpRequest.newBuilder(URI.create(proxy + "/fat")).header("X-Fat", "x".repeat(4096)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(431);
            String metricsUrl = "http://127.0.0.1:" + node.dataPort() + "/metrics";
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String m = client.send(HttpRequest.newBuilder(URI.create(metricsUrl)).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(m).contains("# TYPE canary_proxy_pinned_requests_total counter",
                        "canary_proxy_pinned_requests_total{node=\"node-a\",version=\"v2\"} 3\n",
                        "canary_proxy_pinned_errors_total{node=\"node-a\",version=\"v2\"} 3\n",
                        "canary_proxy_client_faults_total{node=\"node-a\",version=\"v1\",fault=\"body_too_large\"} 1\n",
                        "canary_proxy_client_faults_total{node=\"node-a\",version=\"\",fault=\"headers_too_large\"} 1\n",
                        "canary_proxy_mirror_sent_total{node=\"node-a\",version=\"v2\"} 4\n",
                        "canary_proxy_mirror_requests_total{node=\"node-a\",version=\"v2\",outcome=\"failed\"} 4\n",
                        "canary_proxy_mirror_requests_total{node=\"node-a\",version=\"v2\",outcome=\"dropped\"} 0\n",
                        "canary_proxy_requests_total{node=\"node-a\"} 8\n");
                // Pinned requests are not the version's health, and the 413 is not v1's fault.
                assertThat(m).contains("canary_requests_total{node=\"node-a\",version=\"v2\"} 0\n",
                        "canary_request_errors_total{node=\"node-a\",version=\"v1\"} 0\n");
            });
        }
    }

    @Test
    void proxyOptionsParseAndRefuseContradictions() {
        NodeSettings s = ProxyNodeFixture.settings("--id", "node-a", "--peers", "node-a=127.0.0.1:1", "--proxy-port", "8080",
                "--upstream", "v1=http://10.0.0.1:8000/", "--upstream", "v2=http://10.0.0.2:8000,http://10.0.0.3:8000/api",
                "--sticky-cookie", "uid", "--pin", "cookie:tester=v2", "--mirror", "v2=5%", "--upstream-timeout", "3s",
                "--proxy-max-body", "10m", "--proxy-max-header", "32k");
        ProxySettings p = s.proxy().orElseThrow();
        assertThat(p.port()).isEqualTo(8080);
        assertThat(p.upstreams().values().toString()).isEqualTo("[v1=http://10.0.0.1:8000, v2=http://10.0.0.2:8000,http://10.0.0.3:8000/api]");
        assertThat(p.stickyCookie()).contains("uid");
        assertThat(p.pins().toString()).isEqualTo("[cookie:tester=v2]");
        assertThat(p.mirror().orElseThrow().basisPoints()).isEqualTo(500);
        assertThat(p.upstreamTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(p.maxBodyBytes()).isEqualTo(10L << 20);
        assertThat(p.maxHeaderBytes()).isEqualTo(32 << 10);
        assertThat(s.servableVersions()).containsExactly("v1", "v2");
        assertThat(ProxyNodeFixture.settings("--id", "node-a", "--peers", "node-a=127.0.0.1:1").proxy()).isEmpty();

        assertThatThrownBy(() -> ProxyNodeFixture.settings("--id", "node-a", "--peers", "node-a=127.0.0.1:1", "--upstream", "v1=http://h:1"))
                .isInstanceOf(LauncherException.class).hasMessageContaining("add --proxy-port PORT");
        assertThatThrownBy(() -> ProxyNodeFixture.settings("--id", "node-a", "--peers", "node-a=127.0.0.1:1", "--proxy-port", "1"))
                .isInstanceOf(LauncherException.class).hasMessage("--proxy-port needs at least one --upstream VERSION=URL");
        assertThatThrownBy(() -> ProxyNodeFixture.settings("--id", "node-a", "--peers", "node-a=127.0.0.1:1", "--proxy-port", "1",
                "--upstream", "v1=ftp://h"))
                .isInstanceOf(LauncherException.class).hasMessage("bad upstream 'v1=ftp://h': 'ftp://h' must start with http:// or https://");
        assertThatThrownBy(() -> ProxyNodeFixture.settings("--id", "node-a", "--peers", "node-a=127.0.0.1:1", "--proxy-port", "1",
                "--upstream", "v1=http://h:1", "--mirror", "v3=5%"))
                .isInstanceOf(LauncherException.class).hasMessageContaining("--mirror names version v3 that has no upstream");
        assertThatThrownBy(() -> ProxyNodeFixture.settings("--id", "node-a", "--peers", "node-a=127.0.0.1:1", "--proxy-port", "1",
                "--upstream", "v1=http://h:1", "--proxy-max-body", "lots"))
                .isInstanceOf(LauncherException.class).hasMessage("--proxy-max-body: 'lots' is not a size like 512, 64k, 10m or 1g");
    }

    @Test
    void aProxyPortInUseIsOneClearLine() throws Exception {
        HttpServer v1 = upstream("v1", 200);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            NodeSettings s = ProxyNodeFixture.settings("--id", "node-a", "--peers", "node-a=127.0.0.1:1", "--control-port", "0", "--bind", "127.0.0.1",
                    "--data-port", "0", "--data-dir", dir.toString(), "--proxy-port", Integer.toString(taken.getLocalPort()),
                    "--upstream", "v1=http://127.0.0.1:" + ProxyNodeFixture.port(v1), "--model", "v1=demo");
            assertThatThrownBy(() -> NodeProcess.start(s, SocketTransports.factory(), NodeConsole.silent("node-a")))
                    .isInstanceOf(LauncherException.class)
                    .hasMessage("cannot listen for the proxy on 127.0.0.1:" + taken.getLocalPort() + ": the port is already in use");
        }
    }
}
