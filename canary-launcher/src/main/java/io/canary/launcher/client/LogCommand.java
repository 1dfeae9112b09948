package io.canary.launcher.client;

import io.canary.launcher.ExitCodes;
import io.canary.log.LogHistory;
import io.canary.log.LogRecord;
import io.canary.log.StateLogException;
import io.canary.model.RoutingState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code canary log}: reads state logs. */
@Command(name = "log", mixinStandardHelpOptions = true,
        description = "Reads a node's state log (<data-dir>/<node-id>.log, default ./logs).",
        subcommands = LogCommand.Show.class)
public final class LogCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do, e.g. canary log show logs/node-a.log");
    }

    /** {@code canary log show logs/node-a.log}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Prints a state log as a history: one line per record (PREPARED, COMMITTED, ABORTED, SYNCED, "
                    + "rollout starts and verdicts, and on a coordinator ACCEPTED: which member forwarded which change) "
                    + "with its time, transaction, version, weights and rollout, then the "
                    + "state a node replaying this log comes back to.",
                    "The file is only read, never changed: a torn last line or damage is reported, not truncated."})
    public static final class Show extends ClientCommand {
        @Parameters(paramLabel = "FILE", description = "The log file, e.g. logs/node-a.log.")
        Path file;

        @Option(names = "--tail", paramLabel = "N", description = "Show only the last N records.")
        Integer tail;

        @Override
        protected int execute() {
            if (!Files.exists(file)) {
                throw new CliException("no state log at " + file + " (a node writes <data-dir>/<node-id>.log; the default data dir is ./logs)");
            }
            if (Files.isDirectory(file)) {
                throw new CliException(file + " is a directory; give a log file such as " + file.resolve("node-a.log"));
            }
            if (tail != null && tail < 1) {
                throw new IllegalArgumentException("--tail must be at least 1, got " + tail);
            }
            LogHistory history;
            try {
                history = LogHistory.read(file);
            } catch (StateLogException e) {
                throw new CliException(e.getMessage());
            }
            List<LogRecord> records = history.records();
            if (records.isEmpty() && history.damagedBeforeEnd()) {
                throw new CliException(file + " is not a state log: " + history.problem().orElseThrow());
            }
            List<String> lines = history.lines();
            out().println("State log " + file + ": " + records.size() + " records (" + countsByKind(records) + ")");
            out().println();
            int from = tail == null ? 0 : Math.max(0, lines.size() - tail);
            if (from > 0) {
                out().println("... " + from + " earlier records not shown");
            }
            for (String line : lines.subList(from, lines.size())) {
                out().println(line);
            }
            history.problemLine().ifPresent(out()::println);
            out().println();
            RoutingState last = lastCommitted(records);
            out().println(last == null ? "No committed state: a node replaying this log starts from its initial state."
                    : "A node replaying this log comes back to version " + last.version() + ": "
                            + Formats.pyWeights(last.weights().asMap()) + rolloutSuffix(last) + ".");
            if (history.damagedBeforeEnd()) {
                // A torn last line is what a crash leaves; intact lines after a bad one mean the file was damaged.
                throw new CliException(file + " is damaged before its end (not a crash's torn last line): a node"
                        + " refuses to start on it; move it aside to let the node re-learn its state from the cluster");
            }
            return 0;
        }

        private static String rolloutSuffix(RoutingState s) {
            return s.rollout().id().isEmpty() ? "" : ", rollout of " + s.rollout().canary() + " " + s.rollout().phase();
        }

        private static RoutingState lastCommitted(List<LogRecord> records) {
            RoutingState last = null;
            for (LogRecord r : records) {
                RoutingState s = r instanceof LogRecord.Committed c ? c.state() : r instanceof LogRecord.Synced y ? y.state() : null;
                if (s != null && (last == null || s.version() >= last.version())) {
                    last = s;
                }
            }
            return last;
        }

        private static String kind(LogRecord r) {
            if (r instanceof LogRecord.CoordinatorEpoch) {
                return "coordinator epoch";
            }
            if (r instanceof LogRecord.RolloutStarted) {
                return "rollout started";
            }
            if (r instanceof LogRecord.RolloutVerdict) {
                return "rollout verdict";
            }
            if (r instanceof LogRecord.RequestAccepted) {
                return "accepted";
            }
            return r.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        }

        private static String countsByKind(List<LogRecord> records) {
            Map<String, Integer> counts = new TreeMap<>();
            for (LogRecord r : records) {
                counts.merge(kind(r), 1, Integer::sum);
            }
            StringBuilder sb = new StringBuilder();
            counts.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(v).append(' ').append(k));
            return sb.length() == 0 ? "empty" : sb.toString();
        }
    }
}
