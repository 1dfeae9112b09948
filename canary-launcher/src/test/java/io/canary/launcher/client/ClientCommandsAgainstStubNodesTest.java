package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The client commands against fake nodes: what a user sees, and the exit codes. */
class ClientCommandsAgainstStubNodesTest {
    private final StubNode a = new StubNode("node-a");
    private final StubNode b = new StubNode("node-b");
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    private int run(ClientCommand command, Map<String, String> env, String... args) {
        command.withEnv(env);
        CommandLine cli = io.canary.launcher.CanaryCli.commandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private int run(ClientCommand command, String... args) {
        return run(command, Map.of(), args);
    }

    private static String closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "node-c=http://127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void queryOfNodesThatAgreeExitsZeroAndPrintsTheGuidesFormat() {
        a.healthy(1, 0.0);
        b.healthy(1, 0.0);

        int code = run(new QueryCommand(), "--nodes", a.address() + "," + b.address());

        assertThat(code).isZero();
        assertThat(out.toString()).contains("[Node A] Routing State v1\n  Status: COMMITTED\n  Weights: {'v1': 1.0, 'v2': 0.0}")
                .contains("[Node B] Health Snapshot\n  P95: 120.0ms, Error Rate: 10.00%")
                .contains("[Node B] Prediction routed to: v1")
                .contains("All 2 nodes agree: routing state v1");
    }

    @Test
    void queryExitsNonZeroAndNamesTheNodeThatIsDown() throws Exception {
        a.healthy(1, 0.0);

        int code = run(new QueryCommand(), "--nodes", a.address() + "," + closedPort());

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("PROBLEM: node-c is unreachable: connection refused");
    }

    @Test
    void queryExitsNonZeroWhenTheNodesStayOnDifferentStates() {
        a.healthy(3, 0.25);
        b.healthy(2, 0.05);

        int code = run(new QueryCommand(), "--nodes", a.address() + "," + b.address());

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("PROBLEM: the nodes disagree on the committed state: node-a is at v3");
    }

    @Test
    void weightsSetPostsTheSharesWithTheAdminTokenAndPrintsTheCommittedState() {
        b.on("POST /routing/weights", StubNode.state(4, 0.1));

        int code = run(new WeightsCommand.Set(), Map.of("CANARY_ADMIN_TOKEN", "s3cret"),
                "--nodes", a.address() + "," + b.address(), "--node", "node-b", "v1=0.9", "v2=0.1");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("Committed routing state v4 through node-b").contains("Weights: {'v1': 0.9, 'v2': 0.1}");
        StubNode.Request sent = b.requests.get(0);
        assertThat(sent.body()).isEqualTo("{\"weights\":{\"v1\":0.9,\"v2\":0.1}}");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(a.requests).isEmpty();
    }

    @Test
    void anAbortedChangeIsOneLineWithTheReasonAndExitOne() {
        a.on("POST /routing/weights", r -> new StubNode.Answer(409, "{\"error\":\"node-c voted NO: cannot serve v3\"}", Map.of()));

        int code = run(new WeightsCommand.Set(), "--nodes", a.address(), "v1=0.5", "v3=0.5");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("canary: the change aborted: node-c voted NO: cannot serve v3\n");
        assertThat(a.requests.get(0).header("Authorization")).isNull();
    }

    @Test
    void aChangeRefusedForAMissingTokenSaysWhatToSetAndWhere() {
        a.on("POST /routing/weights", r -> new StubNode.Answer(401,
                "{\"error\":\"this node requires 'Authorization: Bearer <admin token>' for changes\"}", Map.of()));
        b.on("POST /routing/weights", r -> new StubNode.Answer(403,
                "{\"error\":\"changes are accepted from loopback callers only\"}", Map.of()));

        int tokenNode = run(new WeightsCommand.Set(), "--nodes", a.address(), "v1=0.9", "v2=0.1");
        String tokenError = err.toString();
        err.getBuffer().setLength(0);
        int loopbackNode = run(new WeightsCommand.Set(), "--nodes", b.address(), "v1=0.9", "v2=0.1");

        assertThat(tokenNode).isEqualTo(1);
        assertThat(tokenError).hasLineCount(1).endsWith("(HTTP 401) (set CANARY_ADMIN_TOKEN to the nodes' admin token)\n")
                .as("a node with a token wants it from its own machine too").doesNotContain("node's machine");
        assertThat(loopbackNode).isEqualTo(1);
        assertThat(err.toString()).hasLineCount(1)
                .endsWith("(HTTP 403) (set CANARY_ADMIN_TOKEN or run this on the node's machine)\n");
    }

    @Test
    void weightsTheNodeRejectsAsInvalidAreBadInputWithExitTwo() {
        b.on("POST /routing/weights", r -> new StubNode.Answer(400, "{\"error\":\"invalid weights: weights must sum to 1\"}", Map.of()));

        int code = run(new WeightsCommand.Set(), "--nodes", b.address(), "v1=0.5", "v2=0.6");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("canary: invalid weights: weights must sum to 1\n");
    }

    @Test
    void aRolloutTheNodeRejectsAsInvalidIsBadInputWithExitTwo() {
        a.on("POST /rollout", r -> new StubNode.Answer(400, "{\"error\":\"invalid rollout: steps must end at 100\"}", Map.of()));

        int code = run(new RolloutStartCommand(), "--nodes", a.address(), "--canary", "v2", "--steps", "5,50");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("canary: cannot start the rollout: invalid rollout: steps must end at 100 (HTTP 400)\n");
    }

    @Test
    void aRolloutActionWithoutADecisionInTimeSaysItMayStillTakeEffect() {
        a.on("POST /rollout/pause", r -> new StubNode.Answer(504, "{\"error\":\"coordinator node-a did not answer within 10s\"}", Map.of()));

        int code = run(new RolloutCommand.Pause(), "--nodes", a.address());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("canary: cannot pause the rollout: coordinator node-a did not answer within 10s"
                + " (HTTP 504); it may still take effect: check with canary rollout status\n");
    }

    @Test
    void weightsSetGoesToTheNextNodeOnlyWhenOneIsUnreachable() throws Exception {
        b.on("POST /routing/weights", StubNode.state(2, 0.1));

        int code = run(new WeightsCommand.Set(), "--nodes", closedPort() + "," + b.address(), "v1=0.9", "v2=0.1");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("through node-b");
    }

    @Test
    void rolloutStartSendsOnlyTheOptionsGiven() {
        a.on("POST /rollout", "{\"version\":2,\"status\":\"COMMITTED\",\"weights\":{\"v1\":0.95,\"v2\":0.05},\"baseline\":\"v1\","
                + "\"rollout\":{\"id\":\"r1\",\"canary\":\"v2\",\"steps\":[10,100],\"stepIndex\":0,\"percent\":10,\"phase\":\"PROGRESSING\",\"reason\":\"\"}}");

        int code = run(new RolloutStartCommand(), "--nodes", a.address(), "--canary", "v2", "--steps", "10,100",
                "--interval", "1500ms", "--max-error-rate", "5%", "--max-p95", "0.25s", "--failure-limit", "3");

        assertThat(code).isZero();
        assertThat(a.requests.get(0).body()).isEqualTo(
                "{\"canary\":\"v2\",\"steps\":[10,100],\"interval\":\"1500ms\",\"maxErrorRate\":0.05,\"maxP95Ms\":250.0,\"failureLimit\":3}");
        assertThat(out.toString()).contains("[#####.....] step 1/2    5%  PROGRESSING");
    }

    @Test
    void rolloutStartWithAShadowShareSendsItAndShowsTheShadowStep() {
        a.on("POST /rollout", "{\"version\":2,\"status\":\"COMMITTED\",\"weights\":{\"v1\":1.0,\"v2\":0.0},\"baseline\":\"v1\","
                + "\"rollout\":{\"id\":\"r1\",\"canary\":\"v2\",\"steps\":[0,10,100],\"stepIndex\":0,\"percent\":0,"
                + "\"phase\":\"PROGRESSING\",\"reason\":\"started with a shadow step\"}}");

        int code = run(new RolloutStartCommand(), "--nodes", a.address(), "--canary", "v2", "--steps", "10,100", "--shadow", "10%");

        assertThat(code).isZero();
        assertThat(a.requests.get(0).body()).isEqualTo("{\"canary\":\"v2\",\"steps\":[10,100],\"shadow\":0.1}");
        assertThat(out.toString()).contains("[###.......] step 1/3    0%  PROGRESSING");
        assertThat(RolloutFormat.stepLabel(0, java.util.List.of(0, 10, 100))).isEqualTo("step 1/3 (shadow)");
    }

    @Test
    void rolloutStartWithAShadowShareThatIsNoWholePercentageIsBadInputWithExitTwo() {
        int code = run(new RolloutStartCommand(), "--nodes", a.address(), "--canary", "v2", "--shadow", "12.5%");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("canary: --shadow: the shadow share must be a whole percentage in (0%, 100%], "
                + "e.g. 0.1 or 10%, got 12.5%\n");
        assertThat(a.requests).isEmpty();
    }

    @Test
    void rolloutStartSendsTheJudgesMarginsAndABadOneIsOneLineWithExitTwoAndNoRequest() {
        a.on("POST /rollout", "{\"version\":2,\"status\":\"COMMITTED\",\"weights\":{\"v1\":0.95,\"v2\":0.05},\"baseline\":\"v1\","
                + "\"rollout\":{\"id\":\"r1\",\"canary\":\"v2\",\"steps\":[5,100],\"stepIndex\":0,\"percent\":5,\"phase\":\"PROGRESSING\",\"reason\":\"\"}}");
        int code = run(new RolloutStartCommand(), "--nodes", a.address(), "--canary", "v2", "--error-margin", "1%",
                "--error-margin-relative", "25%", "--rollback-error-ratio", "1.1", "--rollback-error-floor", "0.1%",
                "--latency-ratio", "1.3", "--quantiles", "0.5,0.99", "--promotion-risk", "10%", "--alpha", "2%");

        assertThat(code).as(err.toString()).isZero();
        assertThat(a.requests.get(0).body()).isEqualTo("{\"canary\":\"v2\",\"alpha\":0.02,\"errorMargin\":0.01,"
                + "\"errorMarginRelative\":0.25,\"latencyRatio\":1.3,\"quantiles\":[0.5,0.99],\"rollbackErrorRatio\":1.1,"
                + "\"rollbackErrorFloor\":0.001,\"promotionRisk\":0.1}");

        String[][] bad = {
            {"--rollback-error-ratio", "0.9", "canary: --rollback-error-ratio must be in [1.0,1000.0], got 0.9\n"},
            {"--rollback-error-floor", "150%", "canary: --rollback-error-floor must be in [0.0,1.0], got 1.5\n"},
            {"--promotion-risk", "70%", "canary: --promotion-risk must be in [0 (exclusive),0.5], got 0.7\n"},
            {"--error-margin-relative", "-5%", "canary: --error-margin-relative must be in [0.0,100.0], got -0.05\n"},
            {"--quantiles", "0.9,0.5", "canary: --quantiles must be strictly increasing in (0,1), got [0.9, 0.5]\n"},
        };
        for (String[] b : bad) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            a.requests.clear();
            int refused = run(new RolloutStartCommand(), "--nodes", a.address(), "--canary", "v2", b[0], b[1]);
            assertThat(refused).as(b[0]).isEqualTo(2);
            assertThat(err.toString()).as(b[0]).isEqualTo(b[2]);
            assertThat(a.requests).as(b[0]).isEmpty();
        }
        err.getBuffer().setLength(0);
        assertThat(run(new RolloutStartCommand(), "--nodes", a.address(), "--canary", "v2", "--rollback-error-floor", "lots"))
                .isEqualTo(2);
        assertThat(err.toString()).startsWith("canary: ").contains("'lots' is not a rate: use e.g. 0.05 or 5%");
    }

    @Test
    void rolloutStartHelpExplainsTheJudgesMarginsWithTheirDefaultsAndUnits() {
        int code = run(new RolloutStartCommand(), "--help");

        assertThat(code).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(help).doesNotContain("${")
                .contains("--error-margin=RATE").contains("in points of requests (default: 0.5%)")
                .contains("--error-margin-relative=SHARE").contains("(default: 50%: 1% may become 1.5%)")
                .contains("--rollback-error-ratio=RATIO").contains("(default: 1.2;")
                .contains("--rollback-error-floor=RATE").contains("(default: 0.2%)")
                .contains("--latency-ratio=RATIO").contains("(default: 1.2)")
                .contains("--quantiles=Q[,Q...]").contains("(default: 0.5,0.9,0.99)")
                .contains("--promotion-risk=RATE").contains("(default: 20%)")
                .contains("--alpha=RATE").contains("(default: 1%)");
    }

    @Test
    void loadCountsAnswersPerVersionFromTheVersionHeader() {
        a.on("POST /predict", r -> new StubNode.Answer(200, "{}", Map.of("X-Canary-Version", "v1")));
        b.on("POST /predict", r -> new StubNode.Answer(502, "{\"error\":\"boom\"}", Map.of("X-Canary-Version", "v2")));

        int code = run(new LoadCommand(), "--nodes", a.address() + "," + b.address(), "--rps", "200", "--duration", "200ms", "--keys", "5");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("40 requests sent").contains("40 answered, 20 errors, 0 unreachable");
        assertThat(out.toString()).containsPattern("v1\\s+20\\s+0\\s+0.00%").containsPattern("v2\\s+20\\s+20\\s+100.00%");
        assertThat(a.requests).allSatisfy(r -> assertThat(r.header("X-Canary-Key")).matches("user-[0-4]"));
    }

    @Test
    void loadAgainstNoRunningNodeFailsWithOneLine() throws Exception {
        int code = run(new LoadCommand(), "--nodes", closedPort(), "--rps", "50", "--duration", "100ms", "--quiet");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("canary: no request reached a node: are they running? (check with canary query)\n");
    }

    @Test
    void aBadNodeListIsOneLineAndAUsageExitCode() {
        int code = run(new QueryCommand(), "--nodes", "node-a");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("canary: --nodes: 'node-a' must look like node-a=http://host:port\n");
    }

    @Test
    void everyCommandExplainsItselfWithHelp() {
        for (ClientCommand c : new ClientCommand[] {new QueryCommand(), new WeightsCommand.Set(), new RolloutStartCommand(),
                new RolloutStatusCommand(), new LoadCommand()}) {
            out.getBuffer().setLength(0);
            assertThat(run(c, "--help")).isZero();
            assertThat(out.toString()).contains("Usage:").contains("--nodes");
        }
    }
}
