package io.canary.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStateLogTest {
    @TempDir
    Path dir;

    private static final RoutingState V1 = RoutingState.initial("v1", "v2");

    private static LogRecord committed(long version) {
        RoutingState s = new RoutingState(version, RoutingState.Status.COMMITTED, Weights.split("v1", "v2", version % 100),
                "v1", version * 10, 1_000 * version, V1.rollout());
        return new LogRecord.Committed(version * 10, s);
    }

    private List<LogRecord> writeAndClose(int count) {
        List<LogRecord> written = new ArrayList<>();
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThat(log.replay()).isEmpty();
            log.append(new LogRecord.CoordinatorEpoch(1), true);
            written.add(new LogRecord.CoordinatorEpoch(1));
            for (int i = 2; i < count + 1; i++) {
                log.append(committed(i), i % 2 == 0);
                written.add(committed(i));
            }
        }
        return written;
    }

    private List<String> lines() throws IOException {
        return Files.readAllLines(dir.resolve("node-a.log"), StandardCharsets.UTF_8);
    }

    @Test
    void appendedRecordsReplayInOrderAfterReopening() throws IOException {
        List<LogRecord> written = writeAndClose(5);

        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThat(log.path()).isEqualTo(dir.toAbsolutePath().resolve("node-a.log"));
            assertThat(log.replay()).isEqualTo(written);
            assertThat(log.replayProblem()).isEmpty();
        }
        assertThat(lines()).hasSize(5).allSatisfy(l -> assertThat(l).matches("[A-Z_]+ .* crc=[0-9a-f]{8}"));
    }

    @Test
    void bufferedAppendIsInTheFileForTheNextReaderEvenBeforeClose() throws IOException {
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            log.replay();
            log.append(committed(2), false);
            assertThat(lines()).singleElement().asString().startsWith("COMMITTED tx=20 version=2");
        }
    }

    @Test
    void tornFinalLineIsDroppedTruncatedAndLaterAppendsReplay() throws IOException {
        List<LogRecord> written = writeAndClose(3);
        Path file = dir.resolve("node-a.log");
        long intact = Files.size(file);
        String fourth = LogRecordFormat.format(committed(4));
        Files.writeString(file, fourth.substring(0, fourth.length() / 2), StandardOpenOption.APPEND);

        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThat(log.replay()).isEqualTo(written);
            assertThat(log.replayProblem()).hasValue("line 4 (byte " + intact + "): torn (no line end)");
            assertThat(log.replayStart()).isEqualTo(LogStart.TORN_TAIL_DROPPED);
            assertThat(Files.size(file)).isEqualTo(intact);
            log.append(committed(5), true);
        }
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            List<LogRecord> expected = new ArrayList<>(written);
            expected.add(committed(5));
            assertThat(log.replay()).isEqualTo(expected);
            assertThat(log.replayProblem()).isEmpty();
        }
    }

    @Test
    void corruptLineInTheMiddleIsAStartUpErrorNamingFileAndLineAndTheFileIsLeftAsItWas() throws IOException {
        writeAndClose(4);
        Path file = dir.resolve("node-a.log");
        List<String> lines = lines();
        lines.set(1, lines.get(1).replace("version=2", "version=3")); // a flipped bit: the CRC no longer matches
        Files.write(file, lines, StandardCharsets.UTF_8);
        byte[] before = Files.readAllBytes(file);

        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThatThrownBy(log::replay)
                    .isInstanceOfSatisfying(LogDamagedException.class, e -> {
                        assertThat(e.file()).isEqualTo(log.path());
                        assertThat(e.line()).isEqualTo(2);
                        assertThat(e.reason()).startsWith("crc mismatch");
                    })
                    .isInstanceOf(StateLogException.class)
                    .hasMessageStartingWith("state log " + log.path() + " line 2 is damaged (crc mismatch")
                    .hasMessageContaining("2 more lines after it; 1 intact record before it")
                    .hasMessageContaining("move it aside (mv " + log.path() + " " + log.path() + ".damaged)")
                    .hasMessageNotContaining("\n");
        }
        assertThat(Files.readAllBytes(file)).as("nothing is truncated").isEqualTo(before);
    }

    @Test
    void aCompleteLastLineWithABadCrcIsDamageNotATornWrite() throws IOException {
        writeAndClose(3);
        Path file = dir.resolve("node-a.log");
        List<String> lines = lines();
        lines.set(2, lines.get(2).replace("version=3", "version=4")); // has its line end: written whole, then changed
        Files.write(file, lines, StandardCharsets.UTF_8);

        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThatThrownBy(log::replay).isInstanceOfSatisfying(LogDamagedException.class,
                    e -> assertThat(e.line()).isEqualTo(3))
                    .hasMessageContaining("it is the last line, but complete");
        }
    }

    @Test
    void aTornLastLineWithAValidLookingRecordIsStillDroppedBecauseItWasNeverAcknowledged() throws IOException {
        List<LogRecord> written = writeAndClose(2);
        Path file = dir.resolve("node-a.log");
        long intact = Files.size(file);
        Files.writeString(file, LogRecordFormat.format(committed(3)), StandardOpenOption.APPEND); // all but its line end

        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThat(log.replay()).isEqualTo(written);
            assertThat(log.replayStart()).isEqualTo(LogStart.TORN_TAIL_DROPPED);
        }
        assertThat(Files.size(file)).isEqualTo(intact);
    }

    @Test
    void bytesThatAreNotUtf8OnACompleteLineAreDamage() throws IOException {
        writeAndClose(2);
        Files.write(dir.resolve("node-a.log"), new byte[] {(byte) 0xff, (byte) 0xfe, '\n'}, StandardOpenOption.APPEND);
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThatThrownBy(log::replay).isInstanceOfSatisfying(LogDamagedException.class, e -> {
                assertThat(e.line()).isEqualTo(3);
                assertThat(e.reason()).isEqualTo("not UTF-8");
            });
        }
    }

    @Test
    void replaySaysWhetherTheLogWasEmptyIntactOrHadATornTail() throws IOException {
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThat(log.replay()).isEmpty();
            assertThat(log.replayStart()).as("no file before").isEqualTo(LogStart.EMPTY);
            assertThat(log.replayStart().empty()).isTrue();
        }
        Files.writeString(dir.resolve("node-a.log"), "COMMITTED tx=1 vers");
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThat(log.replay()).isEmpty();
            assertThat(log.replayStart()).as("only a torn first line").isEqualTo(LogStart.EMPTY);
            assertThat(Files.size(log.path())).isZero();
        }
        writeAndClose(2);
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThat(log.replay()).hasSize(2);
            assertThat(log.replayStart()).isEqualTo(LogStart.INTACT);
            assertThat(log.replayStart().empty()).isFalse();
        }
    }

    @Test
    void checkpointReplacesTheLogAtomicallyAndTheLogGoesOnAfterIt() throws IOException {
        LogRecord epoch = new LogRecord.CoordinatorEpoch(2);
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            log.replay();
            for (int i = 2; i < 50; i++) {
                log.append(committed(i), true);
            }
            assertThat(log.recordsSinceCheckpoint()).isEqualTo(48);
            long before = Files.size(log.path());

            log.checkpoint(List.of(epoch, committed(49)));

            assertThat(log.recordsSinceCheckpoint()).isZero();
            assertThat(Files.size(log.path())).isLessThan(before / 10);
            log.append(committed(50), true);
            assertThat(log.recordsSinceCheckpoint()).isEqualTo(1);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("node-a.log");
        }
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThat(log.replay()).containsExactly(epoch, committed(49), committed(50));
        }
    }

    @Test
    void failedCheckpointLeavesTheOldLogWhole() throws IOException {
        List<LogRecord> written = writeAndClose(3);
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            log.replay();
            Files.createDirectories(dir.resolve("node-a.log.tmp").resolve("blocker")); // the temp file cannot be written

            assertThatThrownBy(() -> log.checkpoint(List.of(committed(9))))
                    .isInstanceOf(StateLogException.class)
                    .hasMessageStartingWith("cannot checkpoint state log " + log.path() + ": ");

            log.append(committed(4), true);
        }
        Files.delete(dir.resolve("node-a.log.tmp").resolve("blocker"));
        try (FileStateLog log = FileStateLog.open(dir.resolve("."), "node-a")) {
            List<LogRecord> expected = new ArrayList<>(written);
            expected.add(committed(4));
            assertThat(log.replay()).isEqualTo(expected);
        }
    }

    @Test
    void leftoverTemporaryFileOfACrashedCheckpointIsIgnoredAndRemoved() throws IOException {
        List<LogRecord> written = writeAndClose(2);
        Files.writeString(dir.resolve("node-a.log.tmp"), "half a checkp");
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThat(log.replay()).isEqualTo(written);
        }
        assertThat(dir.resolve("node-a.log.tmp")).doesNotExist();
    }

    @Test
    void directoryIsCreatedWhenMissing() {
        Path nested = dir.resolve("a/b/logs");
        try (FileStateLog log = FileStateLog.open(nested, "node-b")) {
            assertThat(log.replay()).isEmpty();
            log.append(new LogRecord.CoordinatorEpoch(1), true);
        }
        assertThat(nested.resolve("node-b.log")).isRegularFile();
    }

    @Test
    void directoryUnderARegularFileIsAClearStartUpError() throws IOException {
        Path regularFile = Files.writeString(dir.resolve("not-a-dir"), "x");
        Path logDir = regularFile.resolve("logs");

        assertThatThrownBy(() -> FileStateLog.open(logDir, "node-a"))
                .isInstanceOf(StateLogException.class)
                .hasMessage("cannot write state log " + logDir.resolve("node-a.log") + ": not a directory");
        assertThatThrownBy(() -> FileStateLog.open(regularFile, "node-a"))
                .isInstanceOf(StateLogException.class)
                .hasMessage("cannot write state log " + regularFile.resolve("node-a.log") + ": " + regularFile
                        + " exists and is not a directory");
    }

    @Test
    void secondOpenOfTheSameLogIsRefused() {
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            assertThatThrownBy(() -> FileStateLog.open(dir, "node-a"))
                    .isInstanceOf(StateLogException.class)
                    .hasMessageContaining("node-a.log: it is in use by another node");
            log.replay();
        }
        FileStateLog.open(dir, "node-a").close(); // released on close
    }

    @Test
    void closedLogRefusesAppendsAndCloseIsIdempotent() {
        FileStateLog log = FileStateLog.open(dir, "node-a");
        log.close();
        log.close();
        assertThatThrownBy(() -> log.append(committed(2), true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void nodeIdThatIsNotAFileNameIsRejected() {
        assertThatThrownBy(() -> FileStateLog.open(dir, "../escape")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node id '../escape' cannot name a log file");
    }
}
