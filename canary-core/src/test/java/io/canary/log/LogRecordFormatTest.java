package io.canary.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.health.VersionStats;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Thresholds;
import io.canary.rollout.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class LogRecordFormatTest {
    static final List<String> AWKWARD = List.of("", "-", "--", " ", "a b", "k=v", "x=1 crc=00000000", "line1\nline2\r\n",
            "tab\there", "100% sure", "a,b:c;d(e)f", "%41", "%u0041", "日本語 ✓ 🚀", "\u2028\u2029\u00a0\u3000\ufeff",
            "lone \ud800 high", "lone \udc00 low", "\u0000\u001f\u007f", "emoji 👨\u200d👩\u200d👧");

    static final RolloutInfo ROLLOUT = new RolloutInfo("r-1", "v2", List.of(5, 25, 50, 100), 1,
            RolloutInfo.Phase.PROGRESSING, "canary healthy: p95 31.0 ms <= 250.0 ms");

    static RoutingState state(long version, long tx, RolloutInfo rollout) {
        return new RoutingState(version, RoutingState.Status.COMMITTED, Weights.split("v1", "v2", 25), "v1", tx,
                1_732_718_400_000L, rollout);
    }

    static RolloutPlan plan(Thresholds thresholds) {
        return new RolloutPlan("v1", "v2", List.of(5, 25, 50, 100), Duration.ofSeconds(30), 100, thresholds, 2);
    }

    static final Thresholds ALL_THRESHOLDS = new Thresholds(OptionalDouble.of(0.01), OptionalDouble.of(0.005),
            OptionalDouble.of(250.0), OptionalDouble.of(1.2));

    static VersionStats stats(String version) {
        return new VersionStats(version, 1_234, 5, 5 / 1234.0, 12.5, 31.0, 48.25);
    }

    /** One of every record kind, with ordinary and edge values. */
    static List<LogRecord> everyKind() {
        return List.of(
                new LogRecord.CoordinatorEpoch(0),
                new LogRecord.CoordinatorEpoch(Long.MAX_VALUE),
                new LogRecord.Recovering(false),
                new LogRecord.Recovering(true),
                new LogRecord.Prepared(4_294_967_297L, state(2, 4_294_967_297L, RolloutInfo.NONE)),
                new LogRecord.Prepared(7, state(2, 8, ROLLOUT)), // state's tx differs from the record's
                new LogRecord.Committed(4_294_967_297L, state(2, 4_294_967_297L, ROLLOUT)),
                new LogRecord.Committed(Long.MIN_VALUE, RoutingState.initial(Weights.all("v1"), "v1")),
                new LogRecord.Committed(3, state(Long.MAX_VALUE, 3, new RolloutInfo("", "", List.of(), -1,
                        RolloutInfo.Phase.COMPLETED, "")))
                ,
                new LogRecord.Committed(9, state(3, 9, new RolloutInfo("-", "v2", List.of(100), 0,
                        RolloutInfo.Phase.ABORTED, "operator said: stop = now\n(really)"))),
                new LogRecord.Committed(10, state(4, 10, RolloutInfo.started("r-p", RolloutPlan.builder("v1", "v2")
                        .steps(5, 25, 50, 100).judge(io.canary.rollout.JudgeKind.THRESHOLD)
                        .onStepTimeout(io.canary.rollout.StepTimeout.PAUSE).maxStepDuration(Duration.ofMinutes(3))
                        .analysis(new io.canary.rollout.Analysis(0.02, 0.3, 0.1, 0.001, 1.25, List.of(0.5, 0.999)))
                        .build(), RolloutInfo.Phase.PAUSED, "paused by \"op\"", 1_732_718_400_000L)
                        .atStep(1, RolloutInfo.Phase.PAUSED, "x", 5))),
                new LogRecord.Synced(state(5, 41, RolloutInfo.started("r-q", RolloutPlan.builder("v1", "v2")
                        .steps(100).build(), RolloutInfo.Phase.COMPLETED, "", 0))),
                new LogRecord.Aborted(12, "node-b voted NO: cannot serve v3"),
                new LogRecord.Aborted(0, ""),
                new LogRecord.Synced(state(5, 40, ROLLOUT)),
                new LogRecord.RequestAccepted("node-b", 4_611_686_018_427_387_904L),
                new LogRecord.RequestAccepted("node c \"x\"", Long.MIN_VALUE),
                new LogRecord.RequestAccepted("node-b", 5, 1_732_718_400_000L, "set weights v1=90% v2=10%"),
                new LogRecord.RolloutStarted("r-1", plan(ALL_THRESHOLDS), 1_732_718_400_000L),
                new LogRecord.RolloutStarted("", plan(Thresholds.NONE), 0),
                new LogRecord.RolloutStarted("r-s", RolloutPlan.builder("v1", "v2").shadow(15)
                        .analysis(io.canary.rollout.Analysis.DEFAULT.withRollbackMargins(1.35, 0.0005)).build(), 7),
                new LogRecord.RolloutStarted("r 2", new RolloutPlan("stable", "next", List.of(1, 100),
                        Duration.ofMillis(1_500).plusNanos(7), 0, new Thresholds(OptionalDouble.empty(),
                        OptionalDouble.of(0.0), OptionalDouble.empty(), OptionalDouble.of(Double.MIN_VALUE)), 1), -5),
                new LogRecord.RolloutVerdict("r-1", new Verdict(Verdict.Decision.PROMOTE, "healthy", 0, 1_000,
                        stats("v1"), stats("v2"))),
                new LogRecord.RolloutVerdict("r-1", new Verdict(Verdict.Decision.ROLLBACK,
                        "canary p95 412.0 ms > 250.0 ms; error rate 0.031 > 0.01 = limit", 2, 2_000,
                        new VersionStats("v1", 0, 0, 0, 0, 0, 0),
                        new VersionStats("v2", Long.MAX_VALUE, 1, Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e-300))),
                new LogRecord.RolloutVerdict("", new Verdict(Verdict.Decision.HOLD, "", -1, 0,
                        new VersionStats(null, 0, 0, 0, 0, 0, 0), new VersionStats("", 1, 1, 1, 1, 1, 1))));
    }

    @Test
    void theCrcIsEightLowercaseHexDigitsExactlyAsFormatWroteThem() {
        // Logs written before crcHex stopped using String.format must keep their CRCs.
        java.util.Random random = new java.util.Random(13);
        int leadingZero = 0;
        for (int i = 0; i < 5_000; i++) {
            String content = "COMMITTED tx=" + random.nextLong() + " version=" + i;
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String expected = String.format("%08x", crc.getValue());
            leadingZero += expected.startsWith("0") ? 1 : 0;
            assertThat(LogRecordFormat.crcHex(content)).isEqualTo(expected);
        }
        assertThat(leadingZero).isPositive();
        assertThat(LogRecordFormat.crcHex("")).isEqualTo("00000000");
    }

    @Test
    void everyRecordKindRoundTripsToAnEqualRecord() {
        for (LogRecord record : everyKind()) {
            String line = LogRecordFormat.format(record);
            assertThat(line).as("one line for %s", record).doesNotContain("\n", "\r");
            assertThat(LogRecordFormat.parse(line)).as(line).isEqualTo(record);
        }
    }

    @Test
    void anAcceptedLineOfAnOlderLogWithoutTimeOrCommandStillParses() {
        String content = "ACCEPTED from=node-b request=42";
        assertThat(LogRecordFormat.parse(content + " crc=" + LogRecordFormat.crcHex(content)))
                .isEqualTo(new LogRecord.RequestAccepted("node-b", 42, 0, ""));
    }

    @Test
    void anAcceptedLineSaysWhoForwardedWhatAndWhen() {
        assertThat(LogRecordFormat.format(new LogRecord.RequestAccepted("node-b", 5, 1_000, "abort the rollout")))
                .startsWith("ACCEPTED from=node-b request=5 at=1000 command=\"abort the rollout\" crc=");
    }

    @Test
    void awkwardStringsRoundTripInEveryStringField() {
        for (String s : AWKWARD) {
            List<LogRecord> records = List.of(
                    new LogRecord.Aborted(1, s),
                    new LogRecord.RequestAccepted(s, 7),
                    new LogRecord.RequestAccepted(s, 8, -1, s),
                    new LogRecord.RolloutStarted(s, plan(ALL_THRESHOLDS), 1),
                    new LogRecord.RolloutVerdict(s, new Verdict(Verdict.Decision.HOLD, s, 0, 1, stats(s), stats(s))),
                    new LogRecord.Committed(1, state(2, 1, new RolloutInfo(s, s, List.of(5, 100), 0,
                            RolloutInfo.Phase.PAUSED, s))));
            for (LogRecord record : records) {
                String line = LogRecordFormat.format(record);
                assertThat(line).as("escaped %s", line).doesNotContain("\n", "\r", "\u2028", "\u2029", "\u0000");
                assertThat(line).as("crc last in %s", line).matches("(?s).* crc=[0-9a-f]{8}");
                assertThat(LogRecordFormat.parse(line)).as(line).isEqualTo(record);
            }
        }
    }

    @Test
    void unicodeVersionNamesRoundTrip() {
        Weights w = Weights.ofBasisPoints(Map.of("版本1", 9_000, "v-2.beta_3", 1_000));
        LogRecord r = new LogRecord.Committed(2, new RoutingState(2, RoutingState.Status.COMMITTED, w, "版本1", 2, 0,
                RolloutInfo.NONE));
        assertThat(LogRecordFormat.parse(LogRecordFormat.format(r))).isEqualTo(r);
    }

    @Test
    void lineIsReadableAndEndsWithTheCrcOfWhatPrecedesIt() {
        String line = LogRecordFormat.format(new LogRecord.Committed(4_294_967_297L,
                state(2, 4_294_967_297L, RolloutInfo.NONE)));
        assertThat(line).startsWith("COMMITTED tx=4294967297 version=2 weights=v1:7500,v2:2500 baseline=v1 "
                + "at=1732718400000 rollout=- crc=");
        String content = line.substring(0, line.lastIndexOf(" crc="));
        assertThat(line).endsWith(" crc=" + LogRecordFormat.crcHex(content)).matches(".* crc=[0-9a-f]{8}");
    }

    @Test
    void freeTextIsQuotedOnlyWhenItHasToBe() {
        assertThat(LogRecordFormat.format(new LogRecord.Aborted(1, "timeout")))
                .startsWith("ABORTED tx=1 reason=timeout crc=");
        assertThat(LogRecordFormat.format(new LogRecord.Aborted(1, "node-b voted NO: \"v3\"\nunknown")))
                .startsWith("ABORTED tx=1 reason=\"node-b voted NO: \\\"v3\\\"\\nunknown\" crc=");
        assertThat(LogRecordFormat.format(new LogRecord.Aborted(1, "-"))).startsWith("ABORTED tx=1 reason=\"-\" crc=");
    }

    @Test
    void corruptTornAndForeignLinesAreRejectedWithTheReason() {
        String line = LogRecordFormat.format(new LogRecord.Aborted(7, "prepare timeout"));
        String flipped = line.replace("tx=7", "tx=8");
        assertThatThrownBy(() -> LogRecordFormat.parse(flipped)).isInstanceOf(LogFormatException.class)
                .hasMessageStartingWith("crc mismatch");
        assertThatThrownBy(() -> LogRecordFormat.parse(line.substring(0, line.length() - 3)))
                .isInstanceOf(LogFormatException.class).hasMessageStartingWith("crc mismatch");
        assertThatThrownBy(() -> LogRecordFormat.parse(line.substring(0, 20)))
                .isInstanceOf(LogFormatException.class).hasMessageContaining("no crc");
        assertThatThrownBy(() -> LogRecordFormat.parse(""))
                .isInstanceOf(LogFormatException.class);
        assertThatThrownBy(() -> LogRecordFormat.parse(withCrc("FROBNICATED tx=1")))
                .isInstanceOf(LogFormatException.class).hasMessageContaining("unknown record kind 'FROBNICATED'");
        assertThatThrownBy(() -> LogRecordFormat.parse(withCrc("ABORTED reason=x")))
                .isInstanceOf(LogFormatException.class).hasMessage("ABORTED: missing field tx");
        assertThatThrownBy(() -> LogRecordFormat.parse(withCrc("ABORTED tx=1 reason=\"open")))
                .isInstanceOf(LogFormatException.class).hasMessage("ABORTED: unterminated quoted value of reason");
        assertThatThrownBy(() -> LogRecordFormat.parse(withCrc("ABORTED tx=1  reason=x")))
                .isInstanceOf(LogFormatException.class);
        assertThatThrownBy(() -> LogRecordFormat.parse(withCrc("EPOCH epoch=abc")))
                .isInstanceOf(LogFormatException.class).hasMessage("EPOCH: bad value for epoch: 'abc'");
        assertThat(LogRecordFormat.format(new LogRecord.Recovering(false))).startsWith("RECOVERING done=false crc=");
        assertThatThrownBy(() -> LogRecordFormat.parse(withCrc("RECOVERING done=yes")))
                .isInstanceOf(LogFormatException.class).hasMessage("RECOVERING: bad value for done: 'yes'");
        assertThatThrownBy(() -> LogRecordFormat.parse(withCrc(
                "COMMITTED tx=1 version=2 weights=v1:9000 baseline=v1 at=0 rollout=-")))
                .isInstanceOf(LogFormatException.class).hasMessageContaining("must sum to 10000");
    }

    @Test
    void unknownFieldsFromANewerWriterAreIgnored() {
        assertThat(LogRecordFormat.parse(withCrc("ABORTED tx=3 reason=gone shard=7")))
                .isEqualTo(new LogRecord.Aborted(3, "gone"));
    }

    private static String withCrc(String content) {
        return content + " crc=" + LogRecordFormat.crcHex(content);
    }
}
