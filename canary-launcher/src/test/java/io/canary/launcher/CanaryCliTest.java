package io.canary.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CanaryCliTest {

    static CommandRun run(String... args) {
        return CommandRun.canary(args);
    }

    @Test
    void helpListsTheNodeCommandAndTheExitCodes() {
        CommandRun r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("node", "query", "weights", "rollout", "load", "demo", "log", "Exit codes", "70 ", "143");
    }

    @Test
    void nodeHelpExplainsTheReferenceLayout() {
        CommandRun r = run("node", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--role", "--peers", "PEERS_NODE_A", "60001", "50051", "--admin-token-file");
    }

    @Test
    void nodeHelpShowsTheDefaultsTheCodeUses() {
        String help = run("node", "--help").out().replaceAll("\\s+", " ");
        assertThat(help).doesNotContain("${")
                .contains("Wait for votes this long. Default: " + Durations.format(io.canary.NodeConfig.DEFAULT_PREPARE_TIMEOUT))
                .contains("Health sliding window. Default: " + Durations.format(io.canary.NodeConfig.DEFAULT_HEALTH_WINDOW))
                .contains(Durations.format(io.canary.rollout.RolloutPlan.DEFAULT_STEP_INTERVAL) + " per step");
        assertThat(run("rollout", "start", "--help").out().replaceAll("\\s+", " ")).doesNotContain("${")
                .contains("default: " + String.join(",", io.canary.rollout.RolloutPlan.DEFAULT_STEPS.stream().map(String::valueOf).toList()));
    }

    /** The issue: client commands printed "error: ..." themselves, canary node "canary: ..." through ErrorReporter. */
    @Test
    void aClientCommandAndTheNodeCommandFailInTheSameFormatAndTable() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        CommandRun nodeUsage = run("node", "--role", "participant");
        CommandRun clientUsage = run("rollout", "start", "--canary", "v2", "--interval", "0s",
                "--nodes", "node-a=http://127.0.0.1:" + closed);
        CommandRun clientFailure = run("weights", "set", "v1=0.5", "v2=0.5", "--nodes", "node-a=http://127.0.0.1:" + closed);

        assertThat(nodeUsage.err()).matches("canary: --role participant needs --id[^\n]*\n");
        assertThat(clientUsage.err()).matches("canary: --interval must be positive[^\n]*\n");
        assertThat(nodeUsage.code()).isEqualTo(clientUsage.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(clientFailure.err()).isEqualTo("canary: no node is reachable (node-a: connection refused)\n");
        assertThat(clientFailure.code()).isEqualTo(ExitCodes.FAILURE);
    }

    @Test
    void unknownOptionIsOneLineAndAHintWithUsageExitCode() {
        CommandRun r = run("node", "--no-such-option");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines()).hasSize(2);
        assertThat(r.err()).contains("--no-such-option").contains("canary node --help");
    }

    @Test
    void badRoleIsOneClearLine() {
        CommandRun r = run("node", "--role", "leader");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip()).isEqualTo("canary: --role: unknown role 'leader': use coordinator, participant, participant_b or participant_c");
    }

    @Test
    void participantWithoutIdSaysWhatIsMissing() {
        CommandRun r = run("node", "--role", "participant");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--role participant needs --id").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void badPeerListNamesTheBadEntry() {
        CommandRun r = run("node", "--id", "node-a", "--peers", "node-a=127.0.0.1:60001,node-b=127.0.0.1");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip()).isEqualTo("canary: --peers: bad entry for node-b: expected host:port, got '127.0.0.1'");
    }

    @Test
    void nodeMissingFromPeerListIsRefused() {
        CommandRun r = run("node", "--id", "node-x", "--peers", "node-a=127.0.0.1:60001");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("node id 'node-x' is not in the peer list [node-a]");
    }

    @Test
    void badModelSpecNamesTheSpec() {
        CommandRun r = run("node", "--role", "coordinator", "--model", "v2=demo:latency=fast");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip()).startsWith("canary: --model: bad model spec 'v2=demo:latency=fast': invalid duration 'fast'");
    }

    @Test
    void initialWeightsForAVersionWithoutModelAreRefused() {
        CommandRun r = run("node", "--role", "coordinator", "--initial-weights", "v1=0.5,v3=0.5");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("initial weights name version 'v3' but no model serves it");
    }

    @Test
    void badDurationOptionIsAUsageError() {
        CommandRun r = run("node", "--role", "coordinator", "--prepare-timeout", "soon");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("soon");
    }

    @Test
    void mistypedCommandNamesTheNearestCommandAndListsThemAll() {
        CommandRun r = run("nodes");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines().findFirst().orElseThrow())
                .isEqualTo("canary: unknown command 'nodes' for 'canary'; did you mean 'node'?"
                        + " (commands: node, query, weights, rollout, load, demo, log, secret)");
    }

    @Test
    void unknownSubcommandOfRolloutListsTheRolloutCommands() {
        CommandRun r = run("rollout", "bogus");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("canary: unknown command 'bogus' for 'canary rollout'")
                .contains("(commands: start, status, pause, resume, promote, abort)")
                .as("no far-fetched suggestion").doesNotContain("did you mean")
                .contains("canary rollout --help");
    }

    @Test
    void aNearMissOfASubcommandIsSuggested() {
        CommandRun r = run("rollout", "promte");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("canary: unknown command 'promte' for 'canary rollout'; did you mean 'promote'?");
    }

    @Test
    void strayArgumentToACommandWithoutArgumentsIsNamed() {
        CommandRun r = run("query", "node-a");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("canary: unexpected argument 'node-a' (canary query takes no such argument)");
    }
}
