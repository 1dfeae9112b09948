package io.canary.launcher.node;

import io.canary.CoordinationStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The console lines about who coordinates and about fail-safe routing: one at start-up, then one per
 * change. Pure (no I/O), so that the wording is tested without a cluster.
 */
final class CoordinationLines {

    private CoordinationLines() {
    }

    /** The start-up line, e.g. {@code Coordinator: node-a (term 1)}. */
    static String describe(CoordinationStatus c, String selfId) {
        String who = c.coordinator().map(id -> id.equals(selfId) ? id + ", this node" : id)
                .orElse("none known yet (election running)");
        return "Coordinator: " + who + " (term " + c.term() + ")"
                + (c.failSafe() ? "; fail-safe: " + c.failSafeReason() : "");
    }

    /** What changed from {@code before} to {@code now}, one line each; empty when nothing did. */
    static List<String> changes(CoordinationStatus before, CoordinationStatus now, String selfId, String baseline) {
        List<String> lines = new ArrayList<>(2);
        if (!before.coordinator().equals(now.coordinator()) || before.term() != now.term()) {
            lines.add(now.coordinator().isEmpty()
                    ? "No coordinator known (term " + now.term() + "): an election is running"
                    : now.coordinator().get().equals(selfId)
                            ? "This node coordinates now (term " + now.term() + ")"
                            : "Coordinator is now " + now.coordinator().get() + " (term " + now.term() + ")");
        }
        if (now.failSafe() && (!before.failSafe() || !before.failSafeReason().equals(now.failSafeReason()))) {
            lines.add("Fail-safe: routing every request to the baseline " + baseline + ": " + now.failSafeReason());
        } else if (!now.failSafe() && before.failSafe()) {
            lines.add("Fail-safe over: routing on the committed weights again");
        }
        return lines;
    }
}
