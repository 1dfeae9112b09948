package io.canary.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.net.ControlPort;
import io.canary.net.HostPort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three example services on 127.0.0.1 (ephemeral ports), each embedding a node on the socket
 * transport; one cluster for the whole class, tests in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedServiceTest {
    private final List<EmbeddedService> services = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private volatile boolean v2Broken;

    @BeforeAll
    void start(@TempDir Path dataDir) {
        startThree(dataDir, input -> {
            if (v2Broken) {
                throw new IllegalStateException("v2 is broken");
            }
            return "v2 says hi to " + input;
        });
    }

    @AfterAll
    void stop() {
        services.forEach(EmbeddedService::close);
    }

    private void startThree(Path dataDir, EmbeddedService.Model v2) {
        Map<String, ControlPort> ports = new LinkedHashMap<>();
        Map<String, HostPort> peers = new LinkedHashMap<>();
        for (String id : List.of("node-a", "node-b", "node-c")) {
            ControlPort port = ControlPort.bind("127.0.0.1", 0);
            ports.put(id, port);
            peers.put(id, port.address());
        }
        Map<String, EmbeddedService.Model> models = new LinkedHashMap<>();
        models.put("v1", input -> "v1 says hello to " + input);
        models.put("v2", v2);
        ports.forEach((id, port) -> services.add(EmbeddedService.start(
                new EmbeddedService.Options(id, peers, port, "127.0.0.1", 0, dataDir, models))));
        await().atMost(Duration.ofSeconds(15)).until(() -> services.stream().allMatch(s -> s.node().isReady()));
    }

    private HttpResponse<String> call(EmbeddedService s, String method, String pathAndQuery) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + pathAndQuery));
        b = "POST".equals(method) ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.GET();
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void requestsAreRoutedByTheCommittedWeightsAndRecordedPerVersion() throws Exception {
        EmbeddedService b = services.get(1);

        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = call(b, "GET", "/recommend?user=user-" + i);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Canary-Version")).hasValue("v1");
            assertThat(r.body()).contains("\"answer\":\"v1 says hello to user-" + i + "\"");
        }
        assertThat(b.node().health().version("v1").requests()).isEqualTo(20);

        HttpResponse<String> change = call(services.get(0), "POST", "/canary/weights?v1=0.5&v2=0.5");
        assertThat(change.statusCode()).as(change.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> services.stream()
                .allMatch(s -> s.node().state().weights().basisPoints("v2") == 5000));

        Map<String, String> firstAnswer = new LinkedHashMap<>();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 40; i++) {
                String version = call(b, "GET", "/recommend?user=user-" + i).headers().firstValue("X-Canary-Version").orElseThrow();
                assertThat(firstAnswer.putIfAbsent("user-" + i, version)).as("user-%d is sticky", i).isIn(null, version);
            }
        }
        assertThat(firstAnswer.values()).contains("v1", "v2");
        long v2Requests = firstAnswer.values().stream().filter("v2"::equals).count() * 2;
        assertThat(b.node().health().version("v2").requests()).isEqualTo(v2Requests);
    }

    @Test
    @Order(2)
    void aFailingVersionAnswers502AndIsRecordedAsAnError() throws Exception {
        v2Broken = true;
        long errorsBefore = services.get(2).node().health().version("v2").errors();
        assertThat(call(services.get(2), "POST", "/canary/weights?v1=0&v2=1").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> services.get(2).node().state().weights().basisPoints("v2") == 10_000);

        HttpResponse<String> r = call(services.get(2), "GET", "/recommend?user=u1");

        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("v2 is broken");
        assertThat(services.get(2).node().health().version("v2").errors()).isEqualTo(errorsBefore + 1);
    }

    @Test
    @Order(3)
    void invalidWeightsAre400AndChangeNothing() throws Exception {
        long before = services.get(0).node().state().version();

        HttpResponse<String> r = call(services.get(0), "POST", "/canary/weights?v1=0.7&v2=0.2");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("sum to 1");
        assertThat(services).allSatisfy(s -> assertThat(s.node().state().version()).isEqualTo(before));
    }
}
