package io.canary.launcher.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.NodeConfig;
import io.canary.launcher.http.HttpTestClient;
import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.node.InProcessCluster;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * The dashboard in a real browser (headless Chromium) against a running 3-node cluster during a
 * rollout: the RENDERED page (the DOM after its scripts ran and polled the node) shows every node,
 * the weights and the step, and the page recorded no error. The screenshot is kept as
 * {@code target/dashboard-screenshot.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    static final Path SCREENSHOT = Path.of("target", "dashboard-screenshot.png");

    @TempDir
    static Path dir;

    private InProcessCluster cluster;
    private String url;

    @BeforeAll
    void start() {
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        models.put("v1", new ModelSpec.Demo(Duration.ofMillis(5), 0.01));
        models.put("v2", new ModelSpec.Demo(Duration.ofMillis(8), 0.02));
        NodeConfig timings = NodeConfig.custom()
                .heartbeatInterval(Duration.ofMillis(100)).peerTimeout(Duration.ofMillis(800))
                .prepareTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(4))
                .healthInterval(Duration.ofMillis(200)).syncTimeout(Duration.ofSeconds(2)).build();
        cluster = InProcessCluster.builder().dataDir(dir.resolve("logs")).models(models).nodeConfig(timings).start();
        cluster.dataUrls().values().forEach(u -> await().atMost(WAIT).until(() -> new HttpTestClient(u).get("/ready").status() == 200));
        url = cluster.dataUrls().get("node-b");
        HttpTestClient b = new HttpTestClient(url);
        // A rollout that stays at its first step: it needs more requests than the test sends, so it holds.
        var started = b.post("/rollout", "{\"canary\":\"v2\",\"steps\":[10,50,100],\"interval\":\"1s\",\"minRequests\":1000000}");
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        for (int i = 0; i < 60; i++) {
            b.post("/predict", "{}");
        }
        // Analyses every second that always hold (far too few requests): verdicts for the table.
        await().atMost(WAIT).until(() -> b.get("/rollout").json().get("verdicts").size() > 0);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theRenderedPageShowsEveryNodeTheWeightsAndTheStepWithoutErrors() throws Exception {
        Path chromium = chromium();
        String dom = run(chromium, List.of("--dump-dom", url + "/"));

        assertThat(dom).as("the page polled the node (rendered, not the HTML source)").contains("live · updated");
        for (String node : List.of("node-a", "node-b", "node-c")) {
            assertThat(dom).contains("<tr data-node=\"" + node + "\">");
        }
        assertThat(dom).contains("node-a coordinates in term");
        assertThat(rowText(dom, "v1")).contains("90%");
        assertThat(rowText(dom, "v2")).contains("10%");
        assertThat(dom).contains("step 1/3 (10%) · PROGRESSING").contains("<li class=\"current\">step 1: 10%</li>");
        assertThat(dom).contains("<polyline class=\"baseline\"");
        assertThat(dom).as("a verdict with its evidence").contains("<td class=\"decision-HOLD\">HOLD</td>").contains(" req · ");
        assertThat(dom).as("errors the page recorded").contains("<pre id=\"page-errors\" hidden=\"\" data-count=\"0\"></pre>");

        Files.createDirectories(SCREENSHOT.getParent());
        Files.deleteIfExists(SCREENSHOT);
        run(chromium, List.of("--screenshot=" + SCREENSHOT.toAbsolutePath(), "--window-size=1400,1500", "--hide-scrollbars", url + "/"));
        assertThat(SCREENSHOT).exists();
        assertThat(Files.size(SCREENSHOT)).as("screenshot bytes").isGreaterThan(20_000);
    }

    /** The text of the weight bar of {@code version}. */
    private static String rowText(String dom, String version) {
        Matcher m = Pattern.compile("<div class=\"bar[^\"]*\" data-version=\"" + version + "\">(.*?)</div>").matcher(dom);
        assertThat(m.find()).as("weight bar of " + version).isTrue();
        return m.group(1).replaceAll("<[^>]+>", " ");
    }

    private String run(Path chromium, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("chromium-profile"),
                // Real time passes while the page polls: two or three polls before the DOM is taken.
                "--virtual-time-budget=4000"));
        cmd.addAll(args);
        Path out = dir.resolve("chromium.out");
        Path err = dir.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 120 s: " + Files.readString(err));
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("chromium exit code; stderr: %s", Files.readString(err)).isZero();
        return stdout;
    }

    /** Chromium from PATH; the test skips without it only outside CI (CI installs the chromium package). */
    static Path chromium() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path p = Path.of(d, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError("chromium is not installed but CI is set: .ci/run installs it (apt-get install chromium)");
        }
        Assumptions.abort("chromium not installed (Debian: apt-get install chromium); CI runs this test");
        return null;
    }
}
