package io.canary.launcher.client;

import io.canary.launcher.ExitCodes;
import io.canary.launcher.http.api.ClusterHealthView;
import io.canary.launcher.http.api.RolloutStatusView;
import io.canary.launcher.http.api.StateView;
import io.canary.model.RolloutInfo;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Follows a rollout through one node until it ends. On a terminal it redraws the status page in
 * place; otherwise (a pipe, a log file) it prints one line per change.
 */
final class RolloutWatcher {
    private static final String CLEAR_SCREEN = "\033[H\033[2J";
    private static final int MAX_CONSECUTIVE_FAILURES = 10;

    private final DataPlaneClient client;
    private final NodeAddress node;
    private final PrintWriter out;
    private final Duration every;
    private final boolean terminal;

    RolloutWatcher(DataPlaneClient client, NodeAddress node, PrintWriter out, Duration every, boolean terminal) {
        this.client = client;
        this.node = node;
        this.out = out;
        this.every = every;
        this.terminal = terminal;
    }

    /** The status page once. */
    String page(int verdicts) {
        RolloutStatusView status = client.rollout(node);
        StateView state = client.state(node);
        ClusterHealthView health;
        try {
            health = client.clusterHealth(node);
        } catch (CliException e) {
            health = null;
        }
        return "Through " + node + "\n" + RolloutFormat.status(status, state, health, verdicts);
    }

    /** Refreshes until the rollout is no longer active; 0 if it completed, 1 otherwise. */
    int watch() throws InterruptedException {
        RolloutProgressPrinter printer = new RolloutProgressPrinter(out, "");
        int failures = 0;
        while (true) {
            RolloutStatusView status;
            StateView state;
            try {
                status = client.rollout(node);
                state = client.state(node);
                failures = 0;
            } catch (CliException.Unreachable e) {
                if (++failures >= MAX_CONSECUTIVE_FAILURES) {
                    throw e;
                }
                out.println(Formats.clock(System.currentTimeMillis()) + " " + e.getMessage() + " (retrying)");
                out.flush();
                pause();
                continue;
            }
            if (terminal) {
                out.print(CLEAR_SCREEN);
                out.print(page(8));
                out.flush();
            } else {
                printer.update(status, state);
            }
            if (!status.rollout().isActive()) {
                RolloutInfo.Phase phase = status.rollout().phase();
                out.println("Rollout " + (status.rollout().id().isEmpty() ? "" : status.rollout().id() + " ") + "ended: " + phase);
                out.flush();
                return phase == RolloutInfo.Phase.COMPLETED ? 0 : ExitCodes.FAILURE;
            }
            pause();
        }
    }

    private void pause() throws InterruptedException {
        LockSupport.parkNanos(every.toNanos());
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }
}
