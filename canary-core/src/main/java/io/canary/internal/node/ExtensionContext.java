package io.canary.internal.node;

import io.canary.NodeConfig;
import io.canary.PeerStatus;
import io.canary.internal.protocol.StateChange;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.time.Scheduler;
import io.canary.time.SteadyClock;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** The {@link NodeContext} a {@link NodeRuntime} gives its extensions. */
final class ExtensionContext implements NodeContext {
    private final NodeRuntime runtime;
    private final NodeSettings settings;
    /** What the extensions measure time on (the rollout engine's steps, pauses and retries): no wall-clock step moves it. */
    private final SteadyClock clock;

    ExtensionContext(NodeRuntime runtime) {
        this.runtime = runtime;
        this.settings = runtime.settings();
        this.clock = new SteadyClock(runtime.scheduler());
    }

    @Override
    public String nodeId() {
        return settings.nodeId();
    }

    @Override
    public List<String> members() {
        return settings.members();
    }

    @Override
    public String coordinatorId() {
        return runtime.coordination().coordinator().orElse("");
    }

    @Override
    public boolean isCoordinator() {
        return runtime.isCoordinator();
    }

    @Override
    public NodeConfig config() {
        return settings.config();
    }

    @Override
    public long nowMillis() {
        return clock.getAsLong();
    }

    @Override
    public RoutingState committed() {
        return runtime.router().state();
    }

    @Override
    public boolean isReady() {
        return runtime.isReady();
    }

    @Override
    public List<PeerStatus> cluster() {
        return runtime.cluster();
    }

    @Override
    public void execute(Runnable task) {
        runtime.execute(task);
    }

    @Override
    public Scheduler.Cancellable schedule(Duration delay, Runnable task) {
        return runtime.schedule(delay, task);
    }

    @Override
    public Scheduler.Cancellable every(Duration period, Runnable task) {
        AtomicBoolean cancelled = new AtomicBoolean();
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            if (!cancelled.get()) {
                task.run();
                runtime.schedule(period, tick[0]);
            }
        };
        runtime.schedule(period, tick[0]);
        return () -> cancelled.set(true);
    }

    @Override
    public void send(String to, Message message) {
        runtime.send(to, message);
    }

    @Override
    public void broadcast(Message message) {
        for (String member : settings.members()) {
            if (!member.equals(settings.nodeId())) {
                runtime.send(member, message);
            }
        }
    }

    @Override
    public void append(LogRecord record, boolean durable) {
        runtime.forceGroupNow(); // the protocol's records waiting for their fsync go first
        settings.log().append(record, durable);
    }

    @Override
    public CompletableFuture<RoutingState> propose(StateChange change, StateChange.Requester requester, String description) {
        return runtime.call(callId -> runtime.protocol().propose(callId, change, requester, description, runtime.scheduler().monotonicMillis()));
    }
}
