package io.canary.launcher.node;

import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.rollout.Verdict;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The node's console output, one line per event, each prefixed with {@code [node-id]} as in the
 * original deployment guide. Thread-safe: lines come from the protocol thread, transport threads
 * and the launcher's own threads.
 */
public final class NodeConsole {
    private final String prefix;
    private final Consumer<String> sink;

    /** Console lines for {@code nodeId} handed to {@code sink} (e.g. {@code System.out::println}). */
    public NodeConsole(String nodeId, Consumer<String> sink) {
        this.prefix = "[" + Objects.requireNonNull(nodeId, "nodeId") + "] ";
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** A console that prints nothing (in-process clusters that report on their own). */
    public static NodeConsole silent(String nodeId) {
        return new NodeConsole(nodeId, line -> { });
    }

    public void line(String text) {
        synchronized (this) {
            sink.accept(prefix + text);
        }
    }

    void committed(RoutingState s) {
        line("Committed version " + s.version() + ": " + s.weights() + " (tx " + s.txId() + ")" + rollout(s.rollout()));
    }

    void aborted(long txId, String reason) {
        line("Aborted tx " + txId + ": " + reason);
    }

    void verdict(Verdict v, RolloutInfo info) {
        String step = info.steps().isEmpty() || v.stepIndex() < 0 || v.stepIndex() >= info.steps().size() ? ""
                : " at step " + (v.stepIndex() + 1) + "/" + info.steps().size() + " (" + info.steps().get(v.stepIndex()) + "%)";
        line("Verdict " + v.decision() + step + ": " + v.reason());
    }

    static String rollout(RolloutInfo r) {
        if (r.phase() == RolloutInfo.Phase.NONE) {
            return "";
        }
        String step = r.stepIndex() < 0 ? "" : " step " + (r.stepIndex() + 1) + "/" + r.steps().size() + " (" + r.currentPercent() + "%)";
        return "; rollout of " + r.canary() + step + " " + r.phase() + (r.reason().isEmpty() ? "" : ": " + r.reason());
    }
}
