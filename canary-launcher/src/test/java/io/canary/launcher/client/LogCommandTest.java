package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.log.FileStateLog;
import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LogCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = io.canary.launcher.CanaryCli.commandLine(new LogCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path writeLog() {
        RoutingState v1 = RoutingState.initial("v1", "v2");
        RoutingState v2 = v1.next(Weights.split("v1", "v2", 5), "v1", RolloutInfo.NONE, 11, 1_700_000_000_000L);
        try (FileStateLog log = FileStateLog.open(dir, "node-b")) {
            log.replay();
            log.append(new LogRecord.Prepared(11, v2), true);
            log.append(new LogRecord.Committed(11, v2), true);
            log.append(new LogRecord.Aborted(12, "node-c voted NO: cannot serve v3"), false);
        }
        return dir.resolve("node-b.log");
    }

    @Test
    void showPrintsTheHistoryAndTheStateAReplayComesBackTo() {
        Path file = writeLog();

        int code = run("show", file.toString());

        assertThat(code).isZero();
        assertThat(out.toString())
                .contains("3 records (1 aborted, 1 committed, 1 prepared)")
                .containsPattern("PREPARED\\s+tx=11 version=2 v1=95% v2=5%")
                .containsPattern("COMMITTED\\s+tx=11 version=2")
                .contains("node-c voted NO: cannot serve v3")
                .contains("A node replaying this log comes back to version 2: {'v1': 0.95, 'v2': 0.05}.");
    }

    @Test
    void aCoordinatorsLogSaysWhichMemberForwardedWhichChangeAndWhen() {
        RoutingState v1 = RoutingState.initial("v1", "v2");
        RoutingState v2 = v1.next(Weights.split("v1", "v2", 10), "v1", RolloutInfo.NONE, 21, 1_700_000_000_500L);
        try (FileStateLog log = FileStateLog.open(dir, "node-a")) {
            log.replay();
            log.append(new LogRecord.RequestAccepted("node-c", 77, 1_700_000_000_000L, "set weights v1=90% v2=10%"), true);
            log.append(new LogRecord.Committed(21, v2), true);
        }

        int code = run("show", dir.resolve("node-a.log").toString());

        assertThat(code).isZero();
        assertThat(out.toString()).contains("2 records (1 accepted, 1 committed)")
                .containsPattern("2023-11-14T22:13:20Z\\s+ACCEPTED\\s+request 77 forwarded by node-c: set weights v1=90% v2=10%")
                .containsPattern("2023-11-14T22:13:20.500Z\\s+COMMITTED\\s+tx=21 version=2 v1=90% v2=10%");
    }

    @Test
    void aTornTailIsReportedAndTheFileIsLeftAsItWas() throws Exception {
        Path file = writeLog();
        Files.writeString(file, "COMMITTED half a li", StandardOpenOption.APPEND);
        long size = Files.size(file);

        int code = run("show", "--tail", "1", file.toString());

        assertThat(code).isZero();
        assertThat(out.toString()).contains("... 2 earlier records not shown").contains("! log ends with a torn line at line 4");
        assertThat(Files.size(file)).isEqualTo(size);
    }

    @Test
    void aMissingFileIsOneLineSayingWhereLogsLive() {
        int code = run("show", dir.resolve("node-z.log").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).startsWith("canary: no state log at ").contains("default data dir is ./logs").hasLineCount(1);
    }

    @Test
    void aLogDamagedBeforeItsEndShowsWhatIsReadableAndExitsOne() throws Exception {
        Path file = writeLog();
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(file));
        lines.set(1, lines.get(1).replace("version=2", "versiom=2"));
        Files.write(file, lines);

        int code = run("show", file.toString());

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("1 records (1 prepared)").contains("! log is damaged at line 2");
        assertThat(err.toString()).hasLineCount(1)
                .startsWith("canary: " + file + " is damaged before its end")
                .contains("a node refuses to start on it; move it aside");
    }

    @Test
    void aFileThatIsNotALogIsOneLineAndExitOne() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "hello\nworld\n");

        int code = run("show", file.toString());

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).hasLineCount(1).startsWith("canary: " + file + " is not a state log: line 1 (byte 0): ");
    }
}
