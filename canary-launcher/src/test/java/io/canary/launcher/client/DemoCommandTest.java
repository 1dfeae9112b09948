package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.launcher.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code canary demo}, the README's first command, end to end on ephemeral loopback ports with 1s steps. */
class DemoCommandTest {
    @TempDir
    Path dataDir;

    private static CommandRun demo(String... args) {
        return CommandRun.of(new DemoCommand(), args);
    }

    @Test
    void aHealthyCanaryEndsAtOneHundredPercentOnEveryNodeAndTheDemoExitsZero() throws Exception {
        CommandRun r = demo("--fast", "--interval", "1s", "--ephemeral-ports", "--quiet", "--data-dir", dataDir.toString());

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("[##########] step 3/3  100%  COMPLETED") // the demo plan: 20, 50, 100
                .containsPattern("dashboard: http://127\\.0\\.0\\.1:\\d+/ ")
                .contains("verdict").contains("PROMOTE")
                .contains("Every node is on routing state v4: {'v1': 0.0, 'v2': 1.0}")
                .contains("Outcome: COMPLETED, v2 serves 100% on every node (expected: COMPLETED)");
        assertThat(Files.readString(dataDir.resolve("node-c.log"))).contains("COMPLETED");
    }

    @Test
    void aBadCanaryIsRolledBackAndTheDemoStillExitsZeroBecauseThatIsTheExpectedOutcome() {
        CommandRun r = demo("--fast", "--bad-canary", "--interval", "1s", "--ephemeral-ports", "--quiet");

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("BAD canary")
                .contains("ROLLBACK")
                .contains("ROLLED_BACK")
                .contains("Outcome: ROLLED_BACK, v2 serves 0% on every node (expected: ROLLED_BACK)");
    }

    @Test
    void aDataDirWithTheLogsOfAnEarlierRunIsRefusedBeforeAnyNodeStarts() throws Exception {
        Files.writeString(dataDir.resolve("node-b.log"), "");

        CommandRun r = demo("--fast", "--ephemeral-ports", "--quiet", "--data-dir", dataDir.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).hasLineCount(1).isEqualTo("canary: --data-dir " + dataDir + " already holds node-b.log from an"
                + " earlier run; the demo starts a fresh cluster: give a new or empty directory\n");
    }
}
