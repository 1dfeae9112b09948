package io.canary.launcher.client;

import io.canary.launcher.http.api.RolloutStatusView;
import io.canary.launcher.http.api.RolloutView;
import io.canary.launcher.http.api.StateView;
import io.canary.launcher.http.api.VerdictView;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Prints a rollout's progress as it happens, one line per change: a progress-bar line when the
 * step, phase or weights change, and each new verdict once. Used by {@code rollout status --watch}
 * (when the output is not a terminal) and by {@code canary demo}. Not thread-safe.
 */
public final class RolloutProgressPrinter {
    private static final int REMEMBERED_VERDICTS = 256;

    private final PrintWriter out;
    private final String indent;
    private String lastProgress = "";
    private final Set<String> seenVerdicts = new HashSet<>();
    private final Deque<String> seenOrder = new ArrayDeque<>();

    public RolloutProgressPrinter(PrintWriter out, String indent) {
        this.out = out;
        this.indent = indent;
    }

    /**
     * Prints what changed since the last call; returns true if anything was printed. The progress
     * comes from {@code state} (the rollout committed with those weights), so bar and percent always
     * describe the same commit even when {@code status} was read a moment earlier or later.
     */
    public boolean update(RolloutStatusView status, StateView state) {
        boolean printed = false;
        RolloutView r = state.rollout().steps().isEmpty() ? status.rollout() : state.rollout();
        for (VerdictView v : status.verdicts()) {
            String key = v.at() + "|" + v.stepIndex() + "|" + v.decision() + "|" + v.reason();
            if (seenVerdicts.add(key)) {
                seenOrder.addLast(key);
                if (seenOrder.size() > REMEMBERED_VERDICTS) {
                    seenVerdicts.remove(seenOrder.removeFirst());
                }
                out.println(indent + "  verdict " + RolloutFormat.verdictLine(v, r.steps()));
                printed = true;
            }
        }
        if (!r.steps().isEmpty()) {
            String progress = RolloutFormat.progressBar(r, RolloutFormat.canaryPercent(r, state));
            if (!progress.equals(lastProgress)) {
                lastProgress = progress;
                String why = r.reason().isEmpty() ? "" : "  (" + r.reason() + ")";
                out.println(indent + Formats.clock(System.currentTimeMillis()) + " " + progress + "  state v" + state.version() + why);
                printed = true;
            }
        }
        out.flush();
        return printed;
    }
}
