package io.canary.launcher.node;

import io.canary.CanaryNode;
import io.canary.CoordinationStatus;
import io.canary.PeerStatus;
import io.canary.RolloutStatus;
import io.canary.launcher.http.api.RolloutRequest;
import io.canary.model.RoutingState;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches a running node from outside its protocol thread: prints who coordinates at start and each
 * change of coordinator, term or fail-safe routing, when it becomes ready and each new rollout
 * verdict, and starts the {@code --rollout} once every member is reachable (a promotion needs a YES
 * from every configured node, so starting earlier would only abort).
 */
final class NodeWatcher implements AutoCloseable {
    static final long POLL_MILLIS = 250;

    private final CanaryNode node;
    private final NodeSettings settings;
    private final NodeConsole console;
    private final ScheduledExecutorService executor;
    static final long ROLLOUT_RETRY_MILLIS = 5_000;

    private boolean wasReady;
    private CoordinationStatus coordination;
    private long lastVerdictAt;
    private final AtomicBoolean rolloutPending;
    private boolean rolloutInFlight;
    private long nextRolloutAttempt;

    private NodeWatcher(CanaryNode node, NodeSettings settings, NodeConsole console) {
        this.node = node;
        this.settings = settings;
        this.console = console;
        this.rolloutPending = new AtomicBoolean(settings.rolloutCanary().isPresent());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "canary-watch-" + settings.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    static NodeWatcher start(CanaryNode node, NodeSettings settings, NodeConsole console) {
        NodeWatcher w = new NodeWatcher(node, settings, console);
        w.coordination = node.coordination();
        console.line(CoordinationLines.describe(w.coordination, settings.nodeId()));
        // Verdicts replayed from the log at start-up are history, not news.
        w.lastVerdictAt = node.rolloutStatus().verdicts().stream().mapToLong(Verdict::at).max().orElse(Long.MIN_VALUE);
        w.executor.scheduleWithFixedDelay(w::pollSafely, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
        return w;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            // A read racing with shutdown; the next poll (if any) tries again.
        }
    }

    private void poll() {
        if (!wasReady && node.isReady()) {
            wasReady = true;
            RoutingState s = node.state();
            console.line("Ready: routing on version " + s.version() + " " + s.weights() + NodeConsole.rollout(s.rollout()));
        }
        printCoordinationChanges();
        printNewVerdicts();
        if (rolloutPending.get() && !rolloutInFlight && wasReady && System.currentTimeMillis() >= nextRolloutAttempt
                && everyMemberReachable()) {
            startRollout();
        }
    }

    private void printCoordinationChanges() {
        CoordinationStatus now = node.coordination();
        CoordinationLines.changes(coordination, now, settings.nodeId(), node.state().baseline()).forEach(console::line);
        coordination = now;
    }

    private void printNewVerdicts() {
        RolloutStatus status = node.rolloutStatus();
        List<Verdict> verdicts = status.verdicts();
        for (Verdict v : verdicts) {
            if (v.at() > lastVerdictAt) {
                console.verdict(v, status.info());
                lastVerdictAt = v.at();
            }
        }
    }

    private boolean everyMemberReachable() {
        return node.cluster().stream().allMatch(PeerStatus::reachable);
    }

    private void startRollout() {
        String canary = settings.rolloutCanary().orElseThrow();
        RoutingState state = node.state();
        if (state.rollout().phase().isActive()) {
            console.line("A rollout of " + state.rollout().canary() + " is already in progress; not starting another");
            rolloutPending.set(false);
            return;
        }
        RolloutPlan plan = RolloutRequest.of(canary).toPlan(state.baseline());
        console.line("Initiating first rollout (" + plan.steps().get(0) + "% canary)...");
        rolloutInFlight = true;
        node.startRollout(plan).whenComplete((s, failure) -> executor.execute(() -> {
            rolloutInFlight = false;
            if (failure == null) {
                rolloutPending.set(false);
                return;
            }
            Throwable t = failure.getCause() != null ? failure.getCause() : failure;
            nextRolloutAttempt = System.currentTimeMillis() + ROLLOUT_RETRY_MILLIS;
            console.line("Rollout of " + canary + " did not start: " + t.getMessage() + "; retrying in "
                    + ROLLOUT_RETRY_MILLIS / 1000 + "s");
        }));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
