package io.canary.log;

import io.canary.health.VersionStats;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Thresholds;
import io.canary.rollout.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A state log as a history a person reads ({@code canary log show}): one line per record with its time,
 * kind, transaction, version, weights and rollout or verdict, e.g.
 *
 * <pre>
 * 2024-11-27T14:40:00Z      COMMITTED       tx=4294967297 version=2 v1=95% v2=5% | rollout r-1: v2 step 1/4 (5%) PROGRESSING
 * </pre>
 *
 * <p>Reading a file never changes it: a torn last line or damage is reported by {@link #problem()}, not
 * truncated. Immutable; safe from any thread.
 */
public final class LogHistory {
    private static final int TIME_WIDTH = 26;
    private static final int KIND_WIDTH = 16;

    private final List<LogRecord> records;
    private final Optional<String> problem;
    private final boolean damagedBeforeEnd;

    private LogHistory(List<LogRecord> records, Optional<String> problem, boolean damagedBeforeEnd) {
        this.records = List.copyOf(records);
        this.problem = problem;
        this.damagedBeforeEnd = damagedBeforeEnd;
    }

    /** The history of {@code records}. */
    public static LogHistory of(List<LogRecord> records) {
        return new LogHistory(records, Optional.empty(), false);
    }

    /**
     * Reads the log file {@code file} without modifying it.
     *
     * @throws StateLogException if the file cannot be read; the message names it and the cause
     */
    public static LogHistory read(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            byte[] data = Files.readAllBytes(file);
            LogScan scan = LogScan.of(data);
            return new LogHistory(scan.records(), scan.problem(), scan.damaged());
        } catch (IOException e) {
            throw StateLogException.of("read", file, e);
        }
    }

    /** The intact records, oldest first. */
    public List<LogRecord> records() {
        return records;
    }

    /**
     * Where reading stopped early and why, e.g. {@code line 7 (byte 812): torn (no line end)}. Empty
     * when the file is intact.
     */
    public Optional<String> problem() {
        return problem;
    }

    /**
     * True when the line that stopped reading is a complete line (it has its line end) that is not an
     * intact record: not the torn last write of a crash (which a restart drops harmlessly) but damage,
     * on which a node refuses to start ({@link LogDamagedException}).
     */
    public boolean damagedBeforeEnd() {
        return damagedBeforeEnd;
    }

    /** The line about a torn or damaged stop, e.g. {@code ! log is damaged at line 7 ...}; empty if intact. */
    public Optional<String> problemLine() {
        return problem.map(p -> damagedBeforeEnd
                ? "! log is damaged at " + p + " (a node refuses to start on it)"
                : "! log ends with a torn line at " + p + " (a crash mid-write; a node replaying it drops that line)");
    }

    /** One rendered line per record, oldest first. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>(records.size());
        for (LogRecord r : records) {
            lines.add(line(r));
        }
        return lines;
    }

    /** The whole history, one line per record, then a line about a torn or corrupt tail if any. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (String line : lines()) {
            sb.append(line).append('\n');
        }
        problemLine().ifPresent(p -> sb.append(p).append('\n'));
        return sb.toString();
    }

    /** The history of {@code records}, one line per record. */
    public static String render(List<LogRecord> records) {
        return of(records).render();
    }

    /** One record as a history line. */
    public static String line(LogRecord record) {
        if (record instanceof LogRecord.Prepared p) {
            return head(p.proposed().committedAt(), "PREPARED") + "tx=" + p.txId() + " " + state(p.proposed());
        }
        if (record instanceof LogRecord.Committed c) {
            return head(c.state().committedAt(), "COMMITTED") + "tx=" + c.txId() + " " + state(c.state());
        }
        if (record instanceof LogRecord.Aborted a) {
            return head(0, "ABORTED") + "tx=" + a.txId() + (a.reason().isEmpty() ? "" : " reason: " + quoted(a.reason()));
        }
        if (record instanceof LogRecord.Synced s) {
            return head(s.state().committedAt(), "SYNCED") + "tx=" + s.state().txId() + " " + state(s.state());
        }
        if (record instanceof LogRecord.CoordinatorEpoch e) {
            return head(0, "EPOCH") + "coordinator epoch " + e.epoch();
        }
        if (record instanceof LogRecord.TermVote t) {
            return head(0, "TERM") + "term " + t.term() + (t.votedFor().isEmpty() ? ""
                    : t.votedFor().equals(LogRecord.TermVote.UNKNOWN_VOTE) ? ", vote unknown (adopted after the log was lost)"
                    : t.votedFor().equals(LogRecord.TermVote.UNKNOWN_VOTE_AMNESIA_ENDED)
                            ? ", vote unknown (adopted after the log was lost; every member heard since)"
                    : ", voted for " + t.votedFor());
        }
        if (record instanceof LogRecord.Recovering r) {
            return head(0, "RECOVERING") + (r.done() ? "recovery after the lost log done"
                    : "recovering after a lost log (every member heard): heeds the positions peers report; a restart is amnesiac again");
        }
        if (record instanceof LogRecord.RolloutStarted r) {
            return head(r.at(), "ROLLOUT_STARTED") + "rollout " + r.rolloutId() + ": " + plan(r.plan());
        }
        if (record instanceof LogRecord.RolloutVerdict v) {
            return head(v.verdict().at(), "ROLLOUT_VERDICT") + "rollout " + v.rolloutId() + ": " + verdict(v.verdict());
        }
        if (record instanceof LogRecord.RequestAccepted a) {
            return head(a.at(), "ACCEPTED") + "request " + a.requestId() + " forwarded by " + a.from()
                    + (a.command().isEmpty() ? "" : ": " + a.command());
        }
        return head(0, record.getClass().getSimpleName()) + record;
    }

    private static String head(long at, String kind) {
        String time = at == 0 ? "-" : Instant.ofEpochMilli(at).toString();
        return pad(time, TIME_WIDTH) + pad(kind, KIND_WIDTH);
    }

    private static String pad(String s, int width) {
        StringBuilder sb = new StringBuilder(s);
        do {
            sb.append(' ');
        } while (sb.length() < width);
        return sb.toString();
    }

    private static String state(RoutingState s) {
        String text = "version=" + s.version() + " " + weights(s.weights(), s.baseline());
        RolloutInfo r = s.rollout();
        if (r.phase() == RolloutInfo.Phase.NONE && r.id().isEmpty()) {
            return text;
        }
        String step = r.stepIndex() < 0 ? "not started" : "step " + (r.stepIndex() + 1) + "/" + r.steps().size()
                + " (" + r.currentPercent() + "%)";
        return text + " | rollout " + r.id() + ": " + r.canary() + " " + step + " " + r.phase()
                + (r.reason().isEmpty() ? "" : " " + quoted(r.reason()));
    }

    /** {@code v1=95% v2=5%}, baseline first. */
    static String weights(Weights w, String baseline) {
        StringBuilder sb = new StringBuilder();
        sb.append(baseline).append('=').append(percent(w.basisPoints(baseline)));
        for (Map.Entry<String, Integer> e : w.asBasisPoints().entrySet()) {
            if (!e.getKey().equals(baseline)) {
                sb.append(' ').append(e.getKey()).append('=').append(percent(e.getValue()));
            }
        }
        return sb.toString();
    }

    /** Basis points as a percentage with no needless decimals: 500 -> 5%, 1 -> 0.01%. */
    static String percent(int basisPoints) {
        String s = String.format(Locale.ROOT, "%d.%02d", basisPoints / 100, basisPoints % 100);
        s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s + "%";
    }

    private static String plan(RolloutPlan p) {
        StringBuilder sb = new StringBuilder();
        sb.append(p.baseline()).append(" -> ").append(p.canary()).append(", steps ");
        for (int i = 0; i < p.steps().size(); i++) {
            sb.append(i == 0 ? "" : ",").append(p.steps().get(i));
        }
        sb.append("% every ").append(duration(p.stepInterval().toMillis()))
                .append(", at least ").append(p.minRequests()).append(" requests");
        Thresholds t = p.thresholds();
        appendBound(sb, "error rate <= ", t.maxErrorRate(), "");
        appendBound(sb, "error rate <= baseline + ", t.maxErrorRateDelta(), "");
        appendBound(sb, "p95 <= ", t.maxP95Ms(), " ms");
        appendBound(sb, "p95 <= baseline x ", t.maxP95Ratio(), "");
        return sb.append(", rollback after ").append(p.failureLimit()).append(" failed analyses").toString();
    }

    private static void appendBound(StringBuilder sb, String label, OptionalDouble v, String unit) {
        if (v.isPresent()) {
            sb.append(", ").append(label).append(number(v.getAsDouble())).append(unit);
        }
    }

    private static String verdict(Verdict v) {
        return v.decision() + " at step " + (v.stepIndex() + 1) + (v.reason().isEmpty() ? "" : " " + quoted(v.reason()))
                + " [baseline " + stats(v.baseline()) + "; canary " + stats(v.canary()) + "]";
    }

    private static String stats(VersionStats s) {
        return s.version() + " " + s.requests() + " req, " + s.errors() + " err ("
                + number(s.errorRate() * 100) + "%), p50 " + number(s.p50Ms()) + " ms, p95 " + number(s.p95Ms())
                + " ms, p99 " + number(s.p99Ms()) + " ms";
    }

    private static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        String s = String.format(Locale.ROOT, "%.3f", d);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static String duration(long millis) {
        if (millis % 60_000 == 0 && millis > 0) {
            return (millis / 60_000) + "m";
        }
        if (millis % 1_000 == 0) {
            return (millis / 1_000) + "s";
        }
        return millis + "ms";
    }

    /** Free text on one line: quoted, with line breaks shown as {@code \n}. */
    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + "\"";
    }

    @Override
    public String toString() {
        return render();
    }
}
