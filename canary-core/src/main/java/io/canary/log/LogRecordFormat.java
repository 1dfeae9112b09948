package io.canary.log;

import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
            LogText.field(sb, "reason", a.reason());
        } else if (record instanceof LogRecord.Synced s) {
            sb.append("SYNCED tx=").append(s.state().txId());
            state(sb, s.state(), s.state().txId());
        } else if (record instanceof LogRecord.CoordinatorEpoch e) {
            sb.append("EPOCH epoch=").append(e.epoch());
        } else if (record instanceof LogRecord.TermVote t) {
            sb.append("TERM term=").append(t.term());
            LogText.field(sb, "voted", t.votedFor());
        } else if (record instanceof LogRecord.Recovering r) {
            sb.append("RECOVERING done=").append(r.done());
        } else if (record instanceof LogRecord.RolloutStarted r) {
            sb.append("ROLLOUT_STARTED");
            LogText.field(sb, "rollout", r.rolloutId());
            RolloutFields.plan(sb, r.plan(), "");
            sb.append(" at=").append(r.at());
        } else if (record instanceof LogRecord.RolloutVerdict v) {
            sb.append("ROLLOUT_VERDICT");
            LogText.field(sb, "rollout", v.rolloutId());
            RolloutFields.verdict(sb, v.verdict());
        } else if (record instanceof LogRecord.RequestAccepted a) {
            sb.append("ACCEPTED");
            LogText.field(sb, "from", a.from());
            sb.append(" request=").append(a.requestId());
            sb.append(" at=").append(a.at());
            LogText.field(sb, "command", a.command());
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
                return new LogRecord.RolloutStarted(f.string("rollout"), RolloutFields.plan(f, ""), f.longValue("at"));
            case "ROLLOUT_VERDICT":
                return new LogRecord.RolloutVerdict(f.string("rollout"), RolloutFields.verdict(f));
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
        LogText.field(sb, "baseline", s.baseline());
        sb.append(" at=").append(s.committedAt());
        RolloutFields.rollout(sb, s.rollout());
    }

    private static RoutingState state(LogText.Fields f) {
        long tx = f.has("stateTx") ? f.longValue("stateTx") : f.longValue("tx");
        RoutingState.Status status = f.has("status")
                ? f.parse("status", RoutingState.Status::valueOf) : RoutingState.Status.COMMITTED;
        return new RoutingState(f.longValue("version"), status, weights(f), f.string("baseline"), tx,
                f.longValue("at"), RolloutFields.rollout(f));
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
}
