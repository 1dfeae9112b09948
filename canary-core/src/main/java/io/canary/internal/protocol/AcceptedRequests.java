package io.canary.internal.protocol;

import io.canary.log.LogRecord;
import io.canary.model.Weights;
import io.canary.rollout.RolloutPlan;
import io.canary.transport.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The forwarded requests the coordinator has accepted, as (sender, request id), the most recent
 * {@link #KEPT} only: rebuilt from the log at start, so that a request resent to a restarted
 * coordinator is recognised and not run a second time. Older ones are useless: a participant stops
 * resending after its request timeout.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
final class AcceptedRequests {

    /** How many accepted requests a checkpoint keeps. */
    static final int KEPT = 1_000;

    private record Key(String from, long requestId) {
    }

    // Keyed by (sender, request id) only: the time and the command say who asked for what, not which request it is.
    private final LinkedHashMap<Key, LogRecord.RequestAccepted> accepted = new LinkedHashMap<>();

    AcceptedRequests(List<LogRecord.RequestAccepted> recovered) {
        recovered.forEach(this::remember);
    }

    boolean contains(String from, long requestId) {
        return accepted.containsKey(new Key(from, requestId));
    }

    /**
     * Remembers an accepted request and returns its record, to be appended durably before it starts.
     *
     * @param at the coordinator's clock (epoch millis) now
     */
    LogRecord.RequestAccepted accept(String from, long requestId, long at, Message.Command command) {
        LogRecord.RequestAccepted record = new LogRecord.RequestAccepted(from, requestId, at, describe(command));
        remember(record);
        return record;
    }

    /** What a checkpoint keeps, oldest first. */
    List<LogRecord> records() {
        return new ArrayList<>(accepted.values());
    }

    /** Remembers a replayed record (a later one for the same request replaces it, moving it to the end). */
    void remember(LogRecord.RequestAccepted record) {
        Key key = new Key(record.from(), record.requestId());
        accepted.remove(key);
        accepted.put(key, record);
        if (accepted.size() > KEPT) {
            accepted.remove(accepted.keySet().iterator().next());
        }
    }

    /** The command in words, for {@code canary log show}: {@code set weights v1=90% v2=10%}. */
    static String describe(Message.Command command) {
        if (command instanceof Message.ProposeWeights p) {
            return "set weights " + percents(p.weights());
        }
        if (command instanceof Message.StartRollout s) {
            RolloutPlan plan = s.plan();
            return "start rollout " + plan.baseline() + " -> " + plan.canary() + " steps " + plan.steps();
        }
        if (command instanceof Message.ControlRollout c) {
            return c.action().name().toLowerCase(Locale.ROOT) + " the rollout";
        }
        return command.getClass().getSimpleName();
    }

    private static String percents(Weights w) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Integer> e : w.asBasisPoints().entrySet()) {
            int bp = e.getValue();
            String pct = bp % 100 == 0 ? String.valueOf(bp / 100) : String.format(Locale.ROOT, "%.2f", bp / 100.0);
            sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(pct).append('%');
        }
        return sb.toString();
    }
}
