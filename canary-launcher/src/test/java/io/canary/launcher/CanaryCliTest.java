package io.canary.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CanaryCliTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CanaryCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheNodeCommandAndTheExitCodes() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("node", "query", "weights", "rollout", "load", "demo", "log", "Exit codes", "143");
    }

    @Test
    void nodeHelpExplainsTheReferenceLayout() {
        Run r = run("node", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--role", "--peers", "PEERS_NODE_A", "60001", "50051", "--admin-token-file");
    }

    @Test
    void unknownOptionIsOneLineAndAHintWithUsageExitCode() {
        Run r = run("node", "--no-such-option");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines()).hasSize(2);
        assertThat(r.err()).contains("--no-such-option").contains("canary node --help");
    }

    @Test
    void badRoleIsOneClearLine() {
        Run r = run("node", "--role", "leader");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip()).isEqualTo("canary: unknown --role 'leader': use coordinator, participant, participant_b or participant_c");
    }

    @Test
    void participantWithoutIdSaysWhatIsMissing() {
        Run r = run("node", "--role", "participant");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--role participant needs --id").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void badPeerListNamesTheBadEntry() {
        Run r = run("node", "--id", "node-a", "--peers", "node-a=127.0.0.1:60001,node-b=127.0.0.1");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip()).isEqualTo("canary: bad --peers entry for node-b: expected host:port, got '127.0.0.1'");
    }

    @Test
    void nodeMissingFromPeerListIsRefused() {
        Run r = run("node", "--id", "node-x", "--peers", "node-a=127.0.0.1:60001");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("node id 'node-x' is not in the peer list [node-a]");
    }

    @Test
    void badModelSpecNamesTheSpec() {
        Run r = run("node", "--role", "coordinator", "--model", "v2=demo:latency=fast");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip()).startsWith("canary: bad model spec 'v2=demo:latency=fast': invalid duration 'fast'");
    }

    @Test
    void initialWeightsForAVersionWithoutModelAreRefused() {
        Run r = run("node", "--role", "coordinator", "--initial-weights", "v1=0.5,v3=0.5");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("initial weights name version 'v3' but no model serves it");
    }

    @Test
    void badDurationOptionIsAUsageError() {
        Run r = run("node", "--role", "coordinator", "--prepare-timeout", "soon");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("soon");
    }
}
