package io.canary.launcher.webhook;

import io.canary.CanaryNode;
import io.canary.CoordinationStatus;
import io.canary.model.RoutingState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches one node and hands its events to a {@link WebhookDispatcher}.
 *
 * <p>Who posts what, so that a cluster of three does not post everything three times: rollout
 * events (started, step promoted, held, paused, resumed, completed, rolled back, aborted) are posted
 * by the node that is the coordinator when it sees them (every node sees every committed state, but
 * the coordinator is the one that made it); a coordinator change by the new coordinator; fail-safe
 * entered or left by the node it happened to (only it knows).
 *
 * <p>The protocol thread only offers each committed state to a bounded queue (the node's
 * listener, which must not block); deriving and posting happen on this notifier's own thread.
 */
public final class WebhookNotifier implements AutoCloseable {
    static final long POLL_MILLIS = 100;
    private static final System.Logger LOG = System.getLogger("io.canary.launcher.webhook");

    private final CanaryNode node;
    private final WebhookDispatcher dispatcher;
    private final EventDeriver deriver;
    private final BlockingQueue<RoutingState> states = new ArrayBlockingQueue<>(4096);
    private final ScheduledExecutorService executor;

    private WebhookNotifier(CanaryNode node, WebhookDispatcher dispatcher) {
        this.node = node;
        this.dispatcher = dispatcher;
        this.deriver = new EventDeriver(node.id(), System::currentTimeMillis);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "canary-events-" + node.id());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching {@code node} (started or not); what it already committed is history, not news. */
    public static WebhookNotifier start(CanaryNode node, WebhookDispatcher dispatcher) {
        WebhookNotifier n = new WebhookNotifier(node, dispatcher);
        // A full queue drops a state: the next one still yields the right phase changes.
        node.addListener(n.states::offer);
        n.executor.execute(() -> {
            n.deriver.onState(node.state());
            n.deriver.onVerdicts(node.rolloutStatus().verdicts(), node.state().rollout());
            n.deriver.onCoordination(node.coordination());
        });
        n.executor.scheduleWithFixedDelay(n::pollSafely, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        return n;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "event poll failed (node closing?): " + e);
        }
    }

    private void poll() {
        CoordinationStatus coordination = node.coordination();
        boolean coordinator = coordination.isCoordinator(node.id());
        List<RoutingState> drained = new ArrayList<>();
        states.drainTo(drained);
        for (RoutingState s : drained) {
            publishIf(coordinator, deriver.onState(s));
        }
        publishIf(coordinator, deriver.onVerdicts(node.rolloutStatus().verdicts(), node.state().rollout()));
        for (WebhookEvent e : deriver.onCoordination(coordination)) {
            boolean mine = e.event() != WebhookEvent.Type.COORDINATOR_CHANGED || coordinator;
            if (mine) {
                dispatcher.publish(e);
            }
        }
    }

    private void publishIf(boolean coordinator, List<WebhookEvent> events) {
        if (coordinator) {
            events.forEach(dispatcher::publish);
        }
    }

    /** Stops watching and closes the dispatcher. */
    @Override
    public void close() {
        executor.shutdownNow();
        dispatcher.close();
    }
}
