package io.canary.internal.node;

import io.canary.CoordinationStatus;
import io.canary.PeerStatus;
import io.canary.ProposalFailedException;
import io.canary.internal.protocol.Caller;
import io.canary.internal.protocol.Durations;
import io.canary.internal.protocol.Effect;
import io.canary.internal.protocol.Outcome;
import io.canary.internal.protocol.ProtocolNode;
import io.canary.internal.protocol.Recovery;
import io.canary.internal.protocol.Timer;
import io.canary.log.FileStateLog;
import io.canary.log.LogRecord;
import io.canary.log.LogStart;
import io.canary.model.RoutingState;
import io.canary.routing.Router;
import io.canary.time.ExecutorScheduler;
import io.canary.time.Scheduler;
import io.canary.transport.Message;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Runs a node's {@link ProtocolNode} for real: every event (inbound message, timer, API call) is a
 * task on the node's scheduler (its protocol thread), and the effects the protocol returns are
 * executed there, in order: a durable append is on disk before the next effect runs. Routing reads
 * an immutable table published by {@link Router}, never this thread.
 */
public final class NodeRuntime {
    private static final System.Logger LOG = System.getLogger("io.canary.node");

    /** Appends after which the log is compacted to the records it needs. */
    static final long CHECKPOINT_AFTER = 1000;

    private final NodeSettings settings;
    private final String selfId;
    private final Scheduler scheduler;
    private final Router router;
    private final List<Consumer<RoutingState>> listeners = new CopyOnWriteArrayList<>();
    private final PendingCalls calls;
    private final Extensions extensions;
    private final NodeStatus status;
    private final ProtocolTasks tasks;
    private final AtomicBoolean startCalled = new AtomicBoolean();
    private ProtocolNode protocol;
    private boolean started;
    private final CommitTrace trace;
    private final EffectRunner effects;

    public NodeRuntime(NodeSettings settings) {
        this.settings = settings;
        this.selfId = settings.nodeId();
        this.scheduler = settings.scheduler();
        this.router = new Router(settings.initialState(), scheduler::monotonicMillis);
        this.calls = new PendingCalls(selfId);
        this.extensions = new Extensions(selfId, settings.extensions());
        this.status = new NodeStatus(selfId, router, extensions);
        // Fail-safe until the protocol has said otherwise: a started node serves no canary before it knows it is current.
        router.failSafe(true);
        this.tasks = new ProtocolTasks(scheduler);
        this.trace = CommitTrace.open(selfId);
        this.effects = new EffectRunner(this, settings, tasks, calls, trace);
        tasks.afterEach(() -> {
            if (effects.afterEvent()) {
                publish();
            }
        });
        tasks.onClosing(() -> {
            if (started) {
                run(protocol.shutDown()); // from now on a Prepare gets a NO saying this node is closing
                publish();
            }
        });
    }

    /**
     * Replays the log (on the caller's thread, so that a broken log is the caller's error), starts
     * the transport, and queues the protocol's start on the protocol thread.
     *
     * @throws java.io.UncheckedIOException if the log cannot be read
     * @throws io.canary.transport.TransportException if the transport cannot start
     */
    public void start() {
        if (!startCalled.compareAndSet(false, true)) {
            throw new IllegalStateException(selfId + " was already started");
        }
        List<LogRecord> replayed = settings.log().replay();
        LogStart logStart = LogStart.of(replayed);
        if (settings.log() instanceof FileStateLog file) {
            file.replayProblem().ifPresent(problem -> LOG.log(Level.WARNING, "[" + selfId + "] " + problem));
            logStart = file.replayStart();
        }
        Recovery recovery = Recovery.replay(replayed, settings.initialState(), logStart);
        protocol = new ProtocolNode(selfId, settings.members(), settings.coordinatorId(), settings.servableVersions(),
                settings.config(), recovery, settings.requestIdBase(), scheduler::nowMillis);
        router.update(recovery.committed());
        settings.transport().start(selfId, this::receive);
        tasks.execute(() -> {
            started = true;
            run(protocol.start(scheduler.monotonicMillis()));
            NodeContext context = new ExtensionContext(this);
            eachExtension("start", e -> e.start(context, recovery.otherRecords()));
            publish();
        });
    }

    // ---- events --------------------------------------------------------------------------------

    private void receive(String from, Message message) {
        if (!tasks.isClosed()) {
            if (CommitTrace.ENABLED) {
                trace.mark(System.nanoTime(), "arrive", from, message);
                tasks.execute(() -> {
                    trace.mark(System.nanoTime(), "run", from, message);
                    onMessage(from, message);
                    trace.mark(System.nanoTime(), "done", from, message);
                });
                return;
            }
            tasks.execute(() -> onMessage(from, message));
        }
    }

    private void onMessage(String from, Message message) {
        if (!started) {
            return; // before the start, a message is lost like on the network: the protocol resends
        }
        run(protocol.onMessage(from, message, scheduler.monotonicMillis()));
        if (message instanceof Message.HealthReport || message instanceof Message.VerdictReport) {
            eachExtension("onMessage", e -> e.onMessage(from, message));
        }
        publish();
    }

    void onTimer(Timer timer) {
        run(protocol.onTimer(timer, scheduler.monotonicMillis()));
        publish();
    }

    /** Runs an API call on the protocol thread; its future completes there. */
    public CompletableFuture<RoutingState> call(LongFunction<List<Effect>> request) {
        return call(request, null);
    }

    /**
     * Like {@link #call(LongFunction)}, and completes {@code detailed} (if not null) with the whole
     * success (whether a later change superseded this one), or exceptionally like the returned future.
     */
    public CompletableFuture<RoutingState> call(LongFunction<List<Effect>> request,
                                                CompletableFuture<io.canary.internal.protocol.Outcome.Success> detailed) {
        CompletableFuture<RoutingState> future = new CompletableFuture<>();
        if (detailed != null) {
            future.whenComplete((s, e) -> {
                if (e != null) {
                    detailed.completeExceptionally(e);
                }
            });
        }
        if (tasks.isClosed() || !startCalled.get()) {
            future.completeExceptionally(new ProposalFailedException(selfId + (tasks.isClosed() ? " is closed" : " is not started")));
            return future;
        }
        // A backstop, so that no caller waits forever whatever happens: the protocol's own timeouts
        // (prepare, request) answer first.
        java.time.Duration backstop = settings.config().requestTimeout().plus(settings.config().prepareTimeout());
        long callId = detailed == null ? calls.register(future, scheduler, backstop)
                : calls.register(future, detailed, scheduler, backstop);
        long queuedAt = System.nanoTime();
        tasks.execute(() -> {
            if (CommitTrace.ENABLED) {
                trace.mark(queuedAt, "call-queued", "call " + callId);
                trace.mark(System.nanoTime(), "call-run", "call " + callId);
            }
            run(request.apply(callId));
            publish();
        });
        if (tasks.isClosed()) {
            calls.failAll(selfId + " is closed");
        }
        return future;
    }

    public ProtocolNode protocol() {
        return protocol;
    }

    // ---- effects -------------------------------------------------------------------------------

    /**
     * Test-only seam for the deterministic simulator (io.canary.sim): sees every effect just before
     * it runs, on the protocol thread, so the simulator can check its invariants there and crash
     * the node at any point, e.g. between a durable append and the send that follows it. Null (and
     * unused) in production.
     */
    public void onEveryEffect(Consumer<Effect> hook) {
        effects.onEveryEffect(hook);
    }

    /**
     * Test-only seam for the simulator: sees every effect that waits for a group commit's fsync, when it
     * is decided (the other hook sees it when it runs). Null (and unused) in production.
     */
    public void onEveryHeldEffect(Consumer<Effect> hook) {
        effects.onEveryHeldEffect(hook);
    }

    private EffectRunner effects() {
        return effects;
    }

    /**
     * Test-only seam for the simulator: true while durable records of this node wait for their group's
     * fsync (its protocol's memory is then ahead of what it has shown anyone). Protocol thread only.
     */
    public boolean holdsUnforcedRecords() {
        return effects.holdsUnforced();
    }

    private void run(List<Effect> effects) {
        effects().run(effects);
    }

    /** Routes on a committed state from now on and tells the extensions and listeners (an {@link Effect.Apply}). */
    void apply(RoutingState state) {
        router.update(state);
        eachExtension("onCommitted", e -> e.onCommitted(state));
        for (Consumer<RoutingState> listener : listeners) {
            try {
                listener.accept(state);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "[" + selfId + "] a committed-state listener threw", e);
            }
        }
    }

    /** Runs a rollout command on the extensions; its outcome comes back as a protocol event. */
    void delegate(Caller caller, Message.Command command) {
        extensions.run(command).whenComplete((state, error) ->
                execute(() -> run(protocol.onDelegatedDone(caller, Outcome.of(state, error)))));
    }

    private void publish() {
        status.publish(protocol, scheduler.monotonicMillis(), tasks.isClosed());
    }

    // ---- public accessors (any thread) ----------------------------------------------------------

    public Router router() {
        return router;
    }

    public void addListener(Consumer<RoutingState> listener) {
        listeners.add(listener);
    }

    public boolean isClosed() {
        return tasks.isClosed();
    }

    /**
     * Closes the node gracefully, from any thread; idempotent. Tasks already queued run first (with an
     * {@link ExecutorScheduler}, called from elsewhere), the first marking the node as closing so that
     * a queued Prepare gets a NO; then the node is marked closed once no task runs, and the transport,
     * an owned scheduler and the log are closed. Every wait is bounded: see {@link ProtocolTasks}.
     */
    public void close() {
        if (!tasks.beginClose()) {
            return;
        }
        if (startCalled.get()) {
            tasks.drainQueued();
        }
        boolean quiet = tasks.markClosed(() -> {
            effects.forceGroupOnClose();
            eachExtension("close", NodeExtension::close);
        });
        settings.transport().close();
        if (settings.ownsScheduler() && scheduler instanceof ExecutorScheduler executor) {
            executor.close();
        }
        if (!quiet) {
            LOG.log(Level.WARNING, "[" + selfId + "] a protocol task ran past " + Durations.human(ProtocolTasks.CLOSE_WAIT)
                    + " while closing; closing the state log under it");
        }
        settings.log().close();
        // A stopped node that an embedding service still asks keeps answering, but never with the canary.
        router.failSafe(true);
        calls.failAll(selfId + " is closed");
    }

    private void eachExtension(String what, Consumer<NodeExtension> call) {
        extensions.each(what, call);
    }

    // ---- for the extensions' context (see ExtensionContext) -------------------------------------

    NodeSettings settings() {
        return settings;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    /** An extension appends to the log itself: the group commit goes first (see {@link EffectRunner#forceGroupNow}). */
    void forceGroupNow() {
        effects.forceGroupNow();
    }

    /** The records a checkpoint keeps: the protocol's, then the extensions' (which may refuse: an exception). */
    List<LogRecord> checkpointRecords() {
        List<LogRecord> records = new ArrayList<>(protocol.checkpointRecords());
        records.addAll(extensions.checkpointRecords());
        return records;
    }

    /** Runs {@code task} on the protocol thread unless the node closed by then. */
    void execute(Runnable task) {
        tasks.execute(task);
    }

    /** Runs {@code task} on the protocol thread after {@code delay} unless the node closed by then. */
    Scheduler.Cancellable schedule(Duration delay, Runnable task) {
        return tasks.schedule(delay, task);
    }

    /** Sends a message; one to this node itself is handed back as an inbound message. */
    void send(String to, Message message) {
        if (CommitTrace.ENABLED) {
            trace.mark(System.nanoTime(), "send", to, message);
        }
        if (to.equals(selfId)) {
            receive(selfId, message);
        } else {
            settings.transport().send(to, message);
        }
    }

    public boolean isReady() {
        return status.ready() && !tasks.isClosed();
    }

    public List<PeerStatus> cluster() {
        return status.peers();
    }

    /** True while this node coordinates (elected and past its recovery round); any thread. */
    public boolean isCoordinator() {
        return status.coordinator();
    }

    /** Who coordinates as this node sees it; any thread. */
    public CoordinationStatus coordination() {
        return status.coordination();
    }
}
