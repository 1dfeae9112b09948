package io.canary.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.health.VersionStats;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogHistoryTest {
    @TempDir
    Path dir;

    private static final long AT = 1_732_718_400_000L; // 2024-11-27T14:40:00Z
    private static final RolloutInfo STEP_ONE = new RolloutInfo("r-1", "v2", List.of(5, 25, 50, 100), 0,
            RolloutInfo.Phase.PROGRESSING, "");

    private static RoutingState state(long version, long tx, double canaryPercent, RolloutInfo rollout) {
        return new RoutingState(version, RoutingState.Status.COMMITTED, Weights.split("v1", "v2", canaryPercent), "v1",
                tx, AT, rollout);
    }

    @Test
    void eachRecordKindReadsAsOneLineWithTimeKindTransactionVersionWeightsAndRollout() {
        List<String> lines = LogHistory.of(List.of(
                new LogRecord.CoordinatorEpoch(1),
                new LogRecord.RolloutStarted("r-1", LogRecordFormatTest.plan(LogRecordFormatTest.ALL_THRESHOLDS), AT),
                new LogRecord.Prepared(4_294_967_297L, state(2, 4_294_967_297L, 5, STEP_ONE)),
                new LogRecord.Committed(4_294_967_297L, state(2, 4_294_967_297L, 5, STEP_ONE)),
                new LogRecord.RolloutVerdict("r-1", new Verdict(Verdict.Decision.ROLLBACK, "canary p95 412 ms > 250 ms", 0,
                        AT + 30_000, new VersionStats("v1", 950, 1, 1 / 950.0, 10, 30, 45),
                        new VersionStats("v2", 52, 0, 0, 12, 412, 500))),
                new LogRecord.Aborted(4_294_967_298L, "node-b voted NO:\nshutting down"),
                new LogRecord.Synced(state(3, 9, 0.01, RolloutInfo.NONE)))).lines();

        assertThat(lines).hasSize(7).allSatisfy(l -> assertThat(l).doesNotContain("\n"));
        assertThat(lines.get(0)).matches("-\\s+EPOCH\\s+coordinator epoch 1");
        assertThat(lines.get(1)).startsWith("2024-11-27T14:40:00Z").contains("ROLLOUT_STARTED", "rollout r-1: v1 -> v2",
                "steps 5,25,50,100% every 30s", "at least 100 requests", "error rate <= 0.01", "p95 <= 250 ms",
                "p95 <= baseline x 1.2", "rollback after 2 failed analyses");
        assertThat(lines.get(2)).contains("PREPARED", "tx=4294967297 version=2 v1=95% v2=5%");
        assertThat(lines.get(3)).isEqualTo("2024-11-27T14:40:00Z      COMMITTED       tx=4294967297 version=2 v1=95% v2=5%"
                + " | rollout r-1: v2 step 1/4 (5%) PROGRESSING");
        assertThat(lines.get(4)).startsWith("2024-11-27T14:40:30Z").contains("ROLLOUT_VERDICT",
                "ROLLBACK at step 1 \"canary p95 412 ms > 250 ms\"", "baseline v1 950 req, 1 err (0.105%), p50 10 ms",
                "canary v2 52 req, 0 err (0%), p50 12 ms, p95 412 ms");
        assertThat(lines.get(5)).contains("ABORTED", "tx=4294967298 reason: \"node-b voted NO:\\nshutting down\"");
        assertThat(lines.get(6)).contains("SYNCED", "tx=9 version=3 v1=99.99% v2=0.01%").doesNotContain("rollout");
    }

    @Test
    void percentagesDropNeedlessDecimals() {
        assertThat(LogHistory.percent(10_000)).isEqualTo("100%");
        assertThat(LogHistory.percent(500)).isEqualTo("5%");
        assertThat(LogHistory.percent(2_550)).isEqualTo("25.5%");
        assertThat(LogHistory.percent(1)).isEqualTo("0.01%");
        assertThat(LogHistory.percent(0)).isEqualTo("0%");
    }

    @Test
    void readingAFileWithATornTailReportsItWithoutTouchingTheFile() throws IOException {
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            log.replay();
            log.append(new LogRecord.CoordinatorEpoch(1), true);
            log.append(new LogRecord.Committed(7, state(2, 7, 25, RolloutInfo.NONE)), true);
        }
        Path file = dir.resolve("node-a.log");
        Files.writeString(file, "ABORTED tx=8 reas", StandardOpenOption.APPEND);
        long size = Files.size(file);

        LogHistory history = LogHistory.read(file);

        assertThat(history.records()).hasSize(2);
        assertThat(history.problem()).get().asString().startsWith("line 3 (byte ").endsWith("torn (no line end)");
        assertThat(history.render()).contains("COMMITTED", "v1=75% v2=25%")
                .endsWith("! log ends with a torn line at " + history.problem().get()
                        + " (a crash mid-write; a node replaying it drops that line)\n");
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(history.damagedBeforeEnd()).as("a torn last line is what a crash leaves").isFalse();
    }

    @Test
    void aCorruptLineFollowedByIntactOnesIsDamageBeforeTheEnd() throws IOException {
        String epoch = LogRecordFormat.format(new LogRecord.CoordinatorEpoch(1));
        String committed = LogRecordFormat.format(new LogRecord.Committed(7, state(2, 7, 25, RolloutInfo.NONE)));
        Path file = dir.resolve("node-a.log");
        Files.writeString(file, epoch + "\n" + committed.replace("version=2", "versiom=2") + "\n" + committed + "\n");

        LogHistory history = LogHistory.read(file);

        assertThat(history.records()).hasSize(1);
        assertThat(history.problem()).get().asString().startsWith("line 2 (byte ").endsWith("; 1 more line after it");
        assertThat(history.damagedBeforeEnd()).isTrue();
    }

    @Test
    void intactFileHasNoProblemLine() throws IOException {
        Path file = dir.resolve("x.log");
        Files.writeString(file, LogRecordFormat.format(new LogRecord.CoordinatorEpoch(4)) + "\n");
        LogHistory history = LogHistory.read(file);
        assertThat(history.problem()).isEmpty();
        assertThat(history.render()).isEqualTo(LogHistory.line(new LogRecord.CoordinatorEpoch(4)) + "\n");
    }

    @Test
    void acceptedRequestSaysWhoForwardedWhichRequest() {
        assertThat(LogHistory.line(new LogRecord.RequestAccepted("node-b", 42)))
                .as("a record of an older log, without time or command")
                .matches("-\\s+ACCEPTED\\s+request 42 forwarded by node-b");
        assertThat(LogHistory.line(new LogRecord.RequestAccepted("node-c", 43, 1_732_718_400_000L, "abort the rollout")))
                .matches("2024-11-27T14:40:00Z\\s+ACCEPTED\\s+request 43 forwarded by node-c: abort the rollout");
    }

    @Test
    void missingFileIsAClearError() {
        Path missing = dir.resolve("nope.log");
        assertThatThrownBy(() -> LogHistory.read(missing)).isInstanceOf(StateLogException.class)
                .hasMessage("cannot read state log " + missing + ": no such file or directory: " + missing);
    }
}
