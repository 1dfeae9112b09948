package io.canary.launcher.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.NodeConfig;
import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.node.InProcessCluster;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a live node follows Prometheus' conventions: {@code promtool check metrics}
 * accepts it, and counters and histogram buckets never go down between scrapes while the sliding
 * health window rolls (the issue: the histogram was the window folded into buckets, so {@code rate()}
 * and {@code histogram_quantile()} gave nonsense).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** A short window, so that it rolls empty within the test. */
    private static final Duration WINDOW = Duration.ofSeconds(1);
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);

    @TempDir
    static Path dir;

    private InProcessCluster cluster;
    private HttpTestClient client;

    @BeforeAll
    void start() {
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        models.put("v1", new ModelSpec.Demo(Duration.ofMillis(2), 0.2));
        models.put("v2", new ModelSpec.Demo(Duration.ofMillis(2), 0));
        NodeConfig config = NodeConfig.from(DataPlaneClusterTest.fastTimings()).healthWindow(WINDOW).build();
        cluster = InProcessCluster.builder().nodeIds(List.of("node-a")).dataDir(dir).models(models).nodeConfig(config).start();
        client = new HttpTestClient(cluster.dataUrls().get("node-a"));
        await().atMost(WAIT).until(() -> client.get("/ready").status() == 200);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void traffic(int requests) {
        for (int i = 0; i < requests; i++) {
            client.post("/predict", "{}");
        }
    }

    @Test
    void promtoolAcceptsTheLiveMetrics() throws Exception {
        traffic(20);
        String metrics = client.get("/metrics").body();
        Path promtool = promtool();
        Path input = dir.resolve("metrics.txt");
        Files.writeString(input, metrics, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectInput(input.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool ended").isTrue();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("promtool check metrics said:%n%s%non:%n%s", said, metrics).isZero();
        assertThat(said.strip()).as("promtool's remarks").isEmpty();
    }

    @Test
    void countersAndBucketsOnlyGrowWhileTheHealthWindowRolls() {
        traffic(30);
        // Why a loop: the window is a second long, and on a loaded 2-core machine 30 requests can take
        // longer than that; a scrape right after a few more requests sees them in the window.
        String[] scraped = new String[1];
        await().atMost(WAIT).until(() -> {
            traffic(3);
            scraped[0] = client.get("/metrics").body();
            return value(scraped[0], "canary_window_requests{node=\"node-a\",version=\"v1\"}") > 0;
        });
        String first = scraped[0];

        // The window rolls empty: its gauges fall to zero...
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> value(client.get("/metrics").body(), "canary_window_requests{node=\"node-a\",version=\"v1\"}") == 0);
        String second = client.get("/metrics").body();
        // ... while nothing cumulative went down.
        Map<String, Double> before = cumulative(first);
        Map<String, Double> after = cumulative(second);
        assertThat(before).isNotEmpty().containsKey("canary_request_latency_seconds_bucket{node=\"node-a\",version=\"v1\",le=\"+Inf\"}");
        before.forEach((series, v) -> assertThat(after.get(series)).as(series).isNotNull().isGreaterThanOrEqualTo(v));
        assertThat(after.get("canary_request_latency_seconds_count{node=\"node-a\",version=\"v1\"}"))
                .isEqualTo(after.get("canary_requests_total{node=\"node-a\",version=\"v1\"}"))
                .isGreaterThanOrEqualTo(30.0);

        traffic(10);
        Map<String, Double> third = cumulative(client.get("/metrics").body());
        assertThat(third.get("canary_requests_total{node=\"node-a\",version=\"v1\"}")
                + third.get("canary_requests_total{node=\"node-a\",version=\"v2\"}"))
                .isEqualTo(after.get("canary_requests_total{node=\"node-a\",version=\"v1\"}")
                        + after.get("canary_requests_total{node=\"node-a\",version=\"v2\"}") + 10);
        third.forEach((series, v) -> assertThat(v).as(series).isGreaterThanOrEqualTo(after.getOrDefault(series, 0.0)));
    }

    @Test
    void bucketsAreCumulativeAndEndAtTheCount() {
        traffic(10);
        String m = client.get("/metrics").body();
        double previous = 0;
        for (double le : MetricsRenderer.LE_SECONDS) {
            double b = value(m, "canary_request_latency_seconds_bucket{node=\"node-a\",version=\"v1\",le=\"" + MetricsRenderer.number(le) + "\"}");
            assertThat(b).as("le=" + le).isGreaterThanOrEqualTo(previous);
            previous = b;
        }
        double inf = value(m, "canary_request_latency_seconds_bucket{node=\"node-a\",version=\"v1\",le=\"+Inf\"}");
        assertThat(inf).isGreaterThanOrEqualTo(previous)
                .isEqualTo(value(m, "canary_request_latency_seconds_count{node=\"node-a\",version=\"v1\"}"));
        // The demo model takes about 2 ms: well under 100 ms, and above the first bound.
        assertThat(value(m, "canary_request_latency_seconds_bucket{node=\"node-a\",version=\"v1\",le=\"0.1\"}")).isEqualTo(inf);
        assertThat(value(m, "canary_request_latency_seconds_sum{node=\"node-a\",version=\"v1\"}")).isPositive();
    }

    /** Every sample of a counter or histogram, by series. */
    private static Map<String, Double> cumulative(String metrics) {
        Map<String, Double> m = new LinkedHashMap<>();
        Matcher s = SAMPLE.matcher(metrics);
        while (s.find()) {
            String name = s.group(1);
            if (name.endsWith("_total") || name.startsWith("canary_request_latency_seconds_")) {
                m.put(name + (s.group(2) == null ? "" : s.group(2)), Double.parseDouble(s.group(3)));
            }
        }
        return m;
    }

    private static double value(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series + " in:\n" + metrics);
    }

    /** promtool from PATH; the test skips without it only outside CI (CI installs the prometheus package). */
    private static Path promtool() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError("promtool is not installed but CI is set: .ci/run installs it (apt-get install prometheus)");
        }
        Assumptions.abort("promtool not installed (Debian: apt-get install prometheus); CI runs this test");
        return null;
    }
}
