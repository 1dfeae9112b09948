package io.canary.log;

import io.canary.health.VersionStats;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.Analysis;
import io.canary.rollout.JudgeKind;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.StepTimeout;
import io.canary.rollout.Thresholds;
import io.canary.rollout.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The state log's line format: one human-readable line per record, {@code KIND key=value ...}, ending
 * with {@code crc=} and the CRC32 (8 lowercase hex digits) of the UTF-8 bytes before {@code " crc="}:
 *
 * <pre>
 * COMMITTED tx=4294967297 version=2 weights=v1:9500,v2:500 baseline=v1 at=1732718400000 rollout=- crc=1a2b3c4d
 * </pre>
 *
 * <p>Free text (reasons, ids) is written bare when it is a single plain word and quoted with backslash
 * escapes otherwise, so that no value breaks the line; a bare {@code -} stands for an absent value (no
 * rollout, an unset threshold). Unknown fields
 * are ignored, so a newer writer may add some. {@link #parse} gives back a record equal to the one
 * {@link #format} was given.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class LogRecordFormat {
    private static final String CRC_MARK = " crc=";

    private LogRecordFormat() {
    }

    /** The record's line, without a line terminator. */
    public static String format(LogRecord record) {
        StringBuilder sb = new StringBuilder(128);
        if (record instanceof LogRecord.Prepared p) {
            sb.append("PREPARED tx=").append(p.txId());
            if (p.term() != p.txId() >>> 32) {
                sb.append(" term=").append(p.term());
            }
            state(sb, p.proposed(), p.txId());
        } else if (record instanceof LogRecord.Committed c) {
            sb.append("COMMITTED tx=").append(c.txId());
            state(sb, c.state(), c.txId());
        } else if (record instanceof LogRecord.Aborted a) {
            sb.append("ABORTED tx=").append(a.txId());
            if (a.version() != 0) {
                sb.append(" version=").append(a.version());
            }
            field(sb, "reason", a.reason());
        } else if (record instanceof LogRecord.Synced s) {
            sb.append("SYNCED tx=").append(s.state().txId());
            state(sb, s.state(), s.state().txId());
        } else if (record instanceof LogRecord.CoordinatorEpoch e) {
            sb.append("EPOCH epoch=").append(e.epoch());
        } else if (record instanceof LogRecord.TermVote t) {
            sb.append("TERM term=").append(t.term());
            field(sb, "voted", t.votedFor());
        } else if (record instanceof LogRecord.Recovering r) {
            sb.append("RECOVERING done=").append(r.done());
        } else if (record instanceof LogRecord.RolloutStarted r) {
            sb.append("ROLLOUT_STARTED");
            field(sb, "rollout", r.rolloutId());
            plan(sb, r.plan(), "");
            sb.append(" at=").append(r.at());
        } else if (record instanceof LogRecord.RolloutVerdict v) {
            sb.append("ROLLOUT_VERDICT");
            field(sb, "rollout", v.rolloutId());
            verdict(sb, v.verdict());
        } else if (record instanceof LogRecord.RequestAccepted a) {
            sb.append("ACCEPTED");
            field(sb, "from", a.from());
            sb.append(" request=").append(a.requestId());
            sb.append(" at=").append(a.at());
            field(sb, "command", a.command());
        } else {
            throw new IllegalArgumentException("no log format for " + record.getClass().getName());
        }
        String content = sb.toString();
        return content + CRC_MARK + crcHex(content);
    }

    /**
     * The record on {@code line} (without its line terminator).
     *
     * @throws LogFormatException if the line is torn, its CRC does not match, or it is not a record;
     *     the message says which
     */
    public static LogRecord parse(String line) {
        int mark = line.lastIndexOf(CRC_MARK);
        if (mark < 0) {
            throw new LogFormatException("no crc (torn or not a log line)");
        }
        String content = line.substring(0, mark);
        String crc = line.substring(mark + CRC_MARK.length());
        String actual = crcHex(content);
        if (!crc.equals(actual)) {
            throw new LogFormatException("crc mismatch: line says '" + crc + "', content hashes to " + actual);
        }
        int space = content.indexOf(' ');
        String kind = space < 0 ? content : content.substring(0, space);
        try {
            return parse(new LogText.Fields(content));
        } catch (LogFormatException e) {
            throw new LogFormatException(kind + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new LogFormatException(kind + ": invalid record: " + e.getMessage(), e);
        }
    }

    private static LogRecord parse(LogText.Fields f) {
        switch (f.kind()) {
            case "PREPARED": {
                long tx = f.longValue("tx");
                return new LogRecord.Prepared(f.has("term") ? f.longValue("term") : tx >>> 32, tx, state(f));
            }
            case "COMMITTED":
                return new LogRecord.Committed(f.longValue("tx"), state(f));
            case "ABORTED":
                return new LogRecord.Aborted(f.longValue("tx"), f.string("reason"),
                        f.has("version") ? f.longValue("version") : 0);
            case "TERM":
                return new LogRecord.TermVote(f.longValue("term"), f.string("voted"));
            case "SYNCED":
                return new LogRecord.Synced(state(f));
            case "RECOVERING":
                return new LogRecord.Recovering(f.parse("done", LogRecordFormat::strictBoolean));
            case "EPOCH":
                return new LogRecord.CoordinatorEpoch(f.longValue("epoch"));
            case "ROLLOUT_STARTED":
                return new LogRecord.RolloutStarted(f.string("rollout"), plan(f, ""), f.longValue("at"));
            case "ROLLOUT_VERDICT":
                return new LogRecord.RolloutVerdict(f.string("rollout"), verdict(f));
            case "ACCEPTED":
                return new LogRecord.RequestAccepted(f.string("from"), f.longValue("request"),
                        f.has("at") ? f.longValue("at") : 0, f.has("command") ? f.string("command") : "");
            default:
                throw new LogFormatException("unknown record kind '" + f.kind() + "'");
        }
    }

    private static boolean strictBoolean(String v) {
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("not true or false");
        }
        return v.equals("true");
    }

    /** The CRC32 of the line's UTF-8 bytes as 8 lowercase hex digits ({@code %08x}, without a Formatter: every record pays it). */
    static String crcHex(String content) {
        CRC32 crc = new CRC32();
        crc.update(content.getBytes(StandardCharsets.UTF_8));
        long v = crc.getValue();
        char[] hex = new char[8];
        for (int i = 7; i >= 0; i--) {
            hex[i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        return new String(hex);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    // ---- routing state ------------------------------------------------------------------------

    private static void state(StringBuilder sb, RoutingState s, long recordTx) {
        if (s.txId() != recordTx) {
            sb.append(" stateTx=").append(s.txId());
        }
        sb.append(" version=").append(s.version());
        if (s.status() != RoutingState.Status.COMMITTED) {
            sb.append(" status=").append(s.status().name());
        }
        sb.append(" weights=").append(weights(s.weights()));
        field(sb, "baseline", s.baseline());
        sb.append(" at=").append(s.committedAt());
        rollout(sb, s.rollout());
    }

    private static RoutingState state(LogText.Fields f) {
        long tx = f.has("stateTx") ? f.longValue("stateTx") : f.longValue("tx");
        RoutingState.Status status = f.has("status")
                ? f.parse("status", RoutingState.Status::valueOf) : RoutingState.Status.COMMITTED;
        return new RoutingState(f.longValue("version"), status, weights(f), f.string("baseline"), tx,
                f.longValue("at"), rollout(f));
    }

    /**
     * The last weights written and their text: a member logs the same weights twice per version
     * (PREPARED, then COMMITTED), a coordinator three times. One immutable pair, read and replaced
     * whole, so any thread may use it (a stale pair is only a miss).
     */
    private record WeightsText(Weights weights, String text) {
    }

    private static volatile WeightsText lastWeights;

    private static String weights(Weights w) {
        WeightsText last = lastWeights;
        if (last != null && last.weights() == w) {
            return last.text();
        }
        String text = weightsText(w);
        lastWeights = new WeightsText(w, text);
        return text;
    }

    private static String weightsText(Weights w) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Integer> e : w.asBasisPoints().entrySet()) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(e.getKey()).append(':').append(e.getValue());
        }
        return sb.toString();
    }

    private static Weights weights(LogText.Fields f) {
        Map<String, Integer> bp = new TreeMap<>();
        for (String part : LogText.split(f.raw("weights"), ',')) {
            int colon = part.lastIndexOf(':');
            if (colon <= 0) {
                throw new LogFormatException("bad weight '" + part + "'");
            }
            bp.put(part.substring(0, colon), Integer.parseInt(part.substring(colon + 1)));
        }
        return Weights.ofBasisPoints(bp);
    }

    private static void rollout(StringBuilder sb, RolloutInfo r) {
        if (isNone(r)) {
            sb.append(" rollout=").append(LogText.ABSENT);
            return;
        }
        field(sb, "rollout", r.id());
        field(sb, "canary", r.canary());
        sb.append(" steps=").append(steps(r.steps()));
        sb.append(" step=").append(r.stepIndex());
        sb.append(" phase=").append(r.phase().name());
        field(sb, "note", r.reason());
        if (r.plan().isPresent()) {
            sb.append(" stepAt=").append(r.stepStartedAt());
            plan(sb, r.plan().get(), "plan.");
        }
    }

    /**
     * {@code r.equals(RolloutInfo.NONE)}, field by field: the record's generated equals (an invokedynamic
     * site) was ~8% of a member's protocol thread at 100 nodes (BENCHMARKS §5f), asked twice per commit.
     */
    private static boolean isNone(RolloutInfo r) {
        RolloutInfo none = RolloutInfo.NONE;
        return r == none || (r.stepIndex() == none.stepIndex() && r.stepStartedAt() == none.stepStartedAt()
                && r.phase() == none.phase() && r.id().equals(none.id()) && r.canary().equals(none.canary())
                && r.reason().equals(none.reason()) && r.steps().equals(none.steps()) && r.plan().equals(none.plan()));
    }

    private static RolloutInfo rollout(LogText.Fields f) {
        if (f.isAbsent("rollout")) {
            return RolloutInfo.NONE;
        }
        // States written before plans were replicated have no plan fields.
        Optional<RolloutPlan> plan = f.has("plan.baseline") ? Optional.of(plan(f, "plan.")) : Optional.empty();
        return new RolloutInfo(f.string("rollout"), f.string("canary"), steps(f, "steps"), f.intValue("step"),
                f.parse("phase", RolloutInfo.Phase::valueOf), f.string("note"), plan,
                f.has("stepAt") ? f.longValue("stepAt") : 0);
    }

    private static String steps(List<Integer> steps) {
        StringBuilder sb = new StringBuilder();
        for (int s : steps) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(s);
        }
        return sb.toString();
    }

    private static List<Integer> steps(LogText.Fields f, String key) {
        List<Integer> steps = new ArrayList<>();
        for (String s : LogText.split(f.raw(key), ',')) {
            steps.add(Integer.parseInt(s));
        }
        return steps;
    }

    // ---- rollout plan and verdict -------------------------------------------------------------

    /** A plan's fields, each key prefixed (a plan inside a state's rollout uses "plan."). */
    private static void plan(StringBuilder sb, RolloutPlan p, String k) {
        field(sb, k + "baseline", p.baseline());
        field(sb, k + "canary", p.canary());
        sb.append(' ').append(k).append("steps=").append(steps(p.steps()));
        sb.append(' ').append(k).append("interval=").append(p.stepInterval());
        sb.append(' ').append(k).append("minRequests=").append(p.minRequests());
        Thresholds t = p.thresholds();
        optional(sb, k + "maxErrorRate", t.maxErrorRate());
        optional(sb, k + "maxErrorRateDelta", t.maxErrorRateDelta());
        optional(sb, k + "maxP95Ms", t.maxP95Ms());
        optional(sb, k + "maxP95Ratio", t.maxP95Ratio());
        sb.append(' ').append(k).append("failureLimit=").append(p.failureLimit());
        sb.append(' ').append(k).append("maxStep=").append(p.maxStepDuration());
        sb.append(' ').append(k).append("onTimeout=").append(p.onStepTimeout().name());
        sb.append(' ').append(k).append("judge=").append(p.judge().name());
        Analysis a = p.analysis();
        sb.append(' ').append(k).append("alpha=").append(a.alpha());
        sb.append(' ').append(k).append("promotionRisk=").append(a.promotionRisk());
        sb.append(' ').append(k).append("errorMarginRelative=").append(a.errorMarginRelative());
        sb.append(' ').append(k).append("errorMarginAbsolute=").append(a.errorMarginAbsolute());
        sb.append(' ').append(k).append("latencyRatio=").append(a.latencyRatio());
        StringBuilder qs = new StringBuilder();
        for (double q : a.quantiles()) {
            qs.append(qs.length() > 0 ? "," : "").append(q);
        }
        sb.append(' ').append(k).append("quantiles=").append(qs);
        sb.append(' ').append(k).append("rollbackErrorRatio=").append(a.rollbackErrorRatio());
        sb.append(' ').append(k).append("rollbackErrorFloor=").append(a.rollbackErrorFloor());
        sb.append(' ').append(k).append("shadowMirror=").append(p.shadowMirrorPercent());
    }

    /** A plan; fields added with sequential analysis take their defaults when absent (older lines). */
    private static RolloutPlan plan(LogText.Fields f, String k) {
        Thresholds t = new Thresholds(optional(f, k + "maxErrorRate"), optional(f, k + "maxErrorRateDelta"),
                optional(f, k + "maxP95Ms"), optional(f, k + "maxP95Ratio"));
        String baseline = f.string(k + "baseline");
        String canary = f.string(k + "canary");
        List<Integer> steps = steps(f, k + "steps");
        Duration interval = f.parse(k + "interval", Duration::parse);
        long minRequests = f.longValue(k + "minRequests");
        int failureLimit = f.intValue(k + "failureLimit");
        if (!f.has(k + "judge")) {
            return new RolloutPlan(baseline, canary, steps, interval, minRequests, t, failureLimit);
        }
        List<Double> quantiles = new ArrayList<>();
        for (String q : LogText.split(f.raw(k + "quantiles"), ',')) {
            quantiles.add(Double.parseDouble(q));
        }
        Analysis a = new Analysis(f.doubleValue(k + "alpha"), f.doubleValue(k + "promotionRisk"),
                f.doubleValue(k + "errorMarginRelative"), f.doubleValue(k + "errorMarginAbsolute"),
                f.doubleValue(k + "latencyRatio"), quantiles);
        if (f.has(k + "rollbackErrorRatio")) {
            // Lines written before the rollback margins existed keep their defaults.
            a = a.withRollbackMargins(f.doubleValue(k + "rollbackErrorRatio"), f.doubleValue(k + "rollbackErrorFloor"));
        }
        return new RolloutPlan(baseline, canary, steps, interval, minRequests, t,
                failureLimit, f.parse(k + "maxStep", Duration::parse), f.parse(k + "onTimeout", StepTimeout::valueOf),
                f.parse(k + "judge", JudgeKind::valueOf), a, f.has(k + "shadowMirror") ? f.intValue(k + "shadowMirror") : 0);
    }

    private static void optional(StringBuilder sb, String key, OptionalDouble v) {
        sb.append(' ').append(key).append('=').append(v.isPresent() ? Double.toString(v.getAsDouble()) : LogText.ABSENT);
    }

    private static OptionalDouble optional(LogText.Fields f, String key) {
        return f.isAbsent(key) ? OptionalDouble.empty() : OptionalDouble.of(f.parse(key, Double::parseDouble));
    }

    private static void verdict(StringBuilder sb, Verdict v) {
        sb.append(" decision=").append(v.decision().name());
        sb.append(" step=").append(v.stepIndex());
        sb.append(" at=").append(v.at());
        field(sb, "reason", v.reason());
        stats(sb, "baseline", v.baseline());
        stats(sb, "canary", v.canary());
    }

    private static Verdict verdict(LogText.Fields f) {
        return new Verdict(f.parse("decision", Verdict.Decision::valueOf), f.string("reason"), f.intValue("step"),
                f.longValue("at"), stats(f, "baseline"), stats(f, "canary"));
    }

    private static void stats(StringBuilder sb, String prefix, VersionStats s) {
        sb.append(' ').append(prefix).append('=').append(s.version() == null ? LogText.ABSENT : LogText.quote(s.version()));
        sb.append(' ').append(prefix).append(".requests=").append(s.requests());
        sb.append(' ').append(prefix).append(".errors=").append(s.errors());
        sb.append(' ').append(prefix).append(".errorRate=").append(s.errorRate());
        sb.append(' ').append(prefix).append(".p50=").append(s.p50Ms());
        sb.append(' ').append(prefix).append(".p95=").append(s.p95Ms());
        sb.append(' ').append(prefix).append(".p99=").append(s.p99Ms());
    }

    private static VersionStats stats(LogText.Fields f, String prefix) {
        return new VersionStats(f.isAbsent(prefix) ? null : f.string(prefix),
                f.longValue(prefix + ".requests"), f.longValue(prefix + ".errors"),
                f.doubleValue(prefix + ".errorRate"), f.doubleValue(prefix + ".p50"),
                f.doubleValue(prefix + ".p95"), f.doubleValue(prefix + ".p99"));
    }

    private static void field(StringBuilder sb, String key, String value) {
        sb.append(' ').append(key).append('=').append(LogText.quote(value));
    }
}
