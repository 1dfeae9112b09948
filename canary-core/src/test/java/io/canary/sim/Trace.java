package io.canary.sim;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The events of one run, for the failure report: what was delivered, fired, dropped, crashed. Keeps
 * references only (formatting happens when a run fails), and only the last {@link #DEFAULT_KEEP}
 * events unless asked for all.
 */
final class Trace {
    static final int DEFAULT_KEEP = 250;

    private record Entry(long seq, long at, String node, String what, Object detail) {
    }

    private final Deque<Entry> entries = new ArrayDeque<>();
    private final long start;
    private final int keep;
    private long seq;

    Trace(long start, boolean all) {
        this.start = start;
        this.keep = all ? Integer.MAX_VALUE : DEFAULT_KEEP;
    }

    void add(long at, String node, String what, Object detail) {
        entries.addLast(new Entry(seq++, at, node, what, detail));
        if (entries.size() > keep) {
            entries.removeFirst();
        }
    }

    long size() {
        return seq;
    }

    /** One line per kept event, oldest first: step number, virtual time, node, event. */
    String render() {
        StringBuilder b = new StringBuilder();
        if (seq > entries.size()) {
            b.append("  ... ").append(seq - entries.size()).append(" earlier events (replay with -Dcanary.sim.trace=all)\n");
        }
        for (Entry e : entries) {
            b.append(String.format(java.util.Locale.ROOT, "  #%-6d t=%7.3fs %-7s %-10s %s%n", e.seq,
                    (e.at - start) / 1000.0, e.node, e.what, e.detail == null ? "" : e.detail));
        }
        return b.toString();
    }

    /** A message in one short line for the trace. */
    static String describe(io.canary.transport.Message m) {
        if (m instanceof io.canary.transport.Message.Prepare p) {
            return "Prepare tx=" + p.txId() + " " + Invariants.describe(p.proposed());
        } else if (m instanceof io.canary.transport.Message.Commit c) {
            return "Commit tx=" + c.txId() + " " + Invariants.describe(c.state());
        } else if (m instanceof io.canary.transport.Message.StateSync s) {
            return "StateSync " + Invariants.describe(s.state());
        } else if (m instanceof io.canary.transport.Message.Vote v) {
            return "Vote tx=" + v.txId() + (v.yes() ? " YES" : " NO: " + v.reason());
        } else if (m instanceof io.canary.transport.Message.ForwardResponse r) {
            return "ForwardResponse #" + r.requestId() + (r.ok() ? " ok v" + r.state().version() : " " + r.outcome() + ": " + r.error());
        } else if (m instanceof io.canary.transport.Message.HealthReport h) {
            return "HealthReport from " + h.snapshot().nodeId();
        } else if (m instanceof io.canary.transport.Message.VerdictReport v) {
            return "VerdictReport " + v.rolloutId() + " " + v.verdict().decision() + ": " + v.verdict().reason();
        }
        return m.toString();
    }
}
