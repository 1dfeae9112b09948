package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code canary demo}, the README's first command, end to end on ephemeral loopback ports with 1s steps. */
class DemoCommandTest {
    @TempDir
    Path dataDir;

    private static String[] run(int[] code, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new DemoCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        code[0] = cli.execute(args);
        return new String[] {out.toString(), err.toString()};
    }

    @Test
    void aHealthyCanaryEndsAtOneHundredPercentOnEveryNodeAndTheDemoExitsZero() throws Exception {
        int[] code = new int[1];
        String[] output = run(code, "--fast", "--interval", "1s", "--ephemeral-ports", "--quiet", "--data-dir", dataDir.toString());

        assertThat(code[0]).as(output[0] + output[1]).isZero();
        assertThat(output[0])
                .contains("[##########] step 4/4  100%  COMPLETED")
                .contains("verdict").contains("PROMOTE")
                .contains("Every node is on routing state v5: {'v1': 0.0, 'v2': 1.0}")
                .contains("Outcome: COMPLETED, v2 serves 100% on every node (expected: COMPLETED)");
        assertThat(Files.readString(dataDir.resolve("node-c.log"))).contains("COMPLETED");
    }

    @Test
    void aBadCanaryIsRolledBackAndTheDemoStillExitsZeroBecauseThatIsTheExpectedOutcome() {
        int[] code = new int[1];
        String[] output = run(code, "--fast", "--bad-canary", "--interval", "1s", "--ephemeral-ports", "--quiet");

        assertThat(code[0]).as(output[0] + output[1]).isZero();
        assertThat(output[0])
                .contains("BAD canary")
                .contains("ROLLBACK")
                .contains("ROLLED_BACK")
                .contains("Outcome: ROLLED_BACK, v2 serves 0% on every node (expected: ROLLED_BACK)");
    }
}
