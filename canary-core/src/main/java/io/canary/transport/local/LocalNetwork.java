package io.canary.transport.local;

import io.canary.time.Scheduler;
import io.canary.transport.Message;
import io.canary.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory network for in-process clusters and tests, with deterministic fault injection.
 *
 * <p>Each node gets its {@link Transport} from {@link #transport(String)}. A message is delivered by a
 * task on the network's {@link Scheduler}: with a {@code ManualScheduler} every delivery happens on the
 * test thread when time is advanced, in a reproducible order. Faults are decided when a message is
 * sent, from rules and a random generator seeded at construction, so the same test with the same seed
 * loses, delays and duplicates the same messages. Faults apply per directed link and per message class:
 * {@link #cut} (one-way loss), {@link #partition}, {@link #isolate}, {@link #drop}, {@link #dropAll},
 * drop probabilities, {@link #delay}, {@link #duplicateProbability} and {@link #reorder}; {@link #heal()}
 * removes them all. A node's messages to itself are never faulted.
 *
 * <p>A node restarts by closing its transport and starting a new one with the same id; starting a new
 * one without closing the old (a crash) also replaces it, and the old one neither sends nor receives
 * any more. Messages to an unknown, closed or replaced node are dropped silently.
 *
 * <p>Threading: every method is safe from any thread. Fault methods take effect for messages sent after
 * they return. Receivers, listeners and the interceptor run on the scheduler's thread.
 */
public final class LocalNetwork {
    private static final System.Logger LOG = System.getLogger(LocalNetwork.class.getName());

    /** Decides, for each message sent, whether the network may carry it at all. */
    @FunctionalInterface
    public interface Interceptor {
        /**
         * Called on the sender's thread for every message before the fault rules; return false to drop
         * it. Must not block; may count or record traffic.
         */
        boolean allow(String from, String to, Message message);
    }

    private final Scheduler scheduler;
    private final Object lock = new Object();
    private final Random random;
    private final FaultRules rules = new FaultRules();
    private final ConcurrentHashMap<String, LocalTransport> endpoints = new ConcurrentHashMap<>();
    private final List<NetworkListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Interceptor interceptor = (from, to, message) -> true;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();

    /**
     * A network that delivers on {@code scheduler} and draws its random faults from {@code seed}.
     */
    public LocalNetwork(Scheduler scheduler, long seed) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.random = new Random(seed);
    }

    /**
     * A new transport for node {@code nodeId}. It joins the network when the node starts it (with this
     * same id), replacing any earlier transport of that id.
     *
     * @throws IllegalArgumentException if {@code nodeId} is blank
     */
    public Transport transport(String nodeId) {
        FaultRules.checkNode("nodeId", nodeId);
        return new LocalTransport(this, nodeId);
    }

    // ---- faults -------------------------------------------------------------------------------

    /** Loses every message from {@code from} to {@code to} (one way) until {@link #restore} or {@link #heal()}. */
    public LocalNetwork cut(String from, String to) {
        return withRules(r -> r.cut(from, to), from, to);
    }

    /** Undoes {@link #cut}{@code (from, to)}. */
    public LocalNetwork restore(String from, String to) {
        return withRules(r -> r.restore(from, to), from, to);
    }

    /** Same as {@link #cut}: loses every message on the directed link. */
    public LocalNetwork drop(String from, String to) {
        return cut(from, to);
    }

    /** Loses messages of {@code type} (or its subtypes) on the directed link {@code from -> to}. */
    public LocalNetwork drop(String from, String to, Class<? extends Message> type) {
        Objects.requireNonNull(type, "type");
        return withRules(r -> r.drop(from, to, type), from, to);
    }

    /** Loses messages of {@code type} (or its subtypes) on every link. */
    public LocalNetwork dropAll(Class<? extends Message> type) {
        Objects.requireNonNull(type, "type");
        synchronized (lock) {
            rules.dropEverywhere(type);
        }
        return this;
    }

    /** Loses each message on every link with probability {@code p} (links with their own probability excepted). */
    public LocalNetwork dropProbability(double p) {
        FaultRules.checkProbability("drop probability", p);
        synchronized (lock) {
            rules.dropProbability(p);
        }
        return this;
    }

    /** Loses each message on the directed link with probability {@code p}. */
    public LocalNetwork dropProbability(String from, String to, double p) {
        FaultRules.checkProbability("drop probability", p);
        return withRules(r -> r.dropProbability(from, to, p), from, to);
    }

    /** Delays every message by a uniform random time in [min, max] (links with their own delay excepted). */
    public LocalNetwork delay(Duration min, Duration max) {
        long[] bounds = checkDelay(min, max);
        synchronized (lock) {
            rules.delay(bounds[0], bounds[1]);
        }
        return this;
    }

    /** Delays messages on the directed link by a uniform random time in [min, max]. */
    public LocalNetwork delay(String from, String to, Duration min, Duration max) {
        long[] bounds = checkDelay(min, max);
        return withRules(r -> r.delay(from, to, bounds[0], bounds[1]), from, to);
    }

    /** Delivers each message twice with probability {@code p}, each copy with its own delay. */
    public LocalNetwork duplicateProbability(double p) {
        FaultRules.checkProbability("duplicate probability", p);
        synchronized (lock) {
            rules.duplicateProbability(p);
        }
        return this;
    }

    /**
     * With probability {@code p}, adds a random extra delay in [0, maxExtra] to a message, so that it
     * may overtake or be overtaken by others on the same link.
     */
    public LocalNetwork reorder(double p, Duration maxExtra) {
        FaultRules.checkProbability("reorder probability", p);
        long max = checkDelay(Duration.ZERO, maxExtra)[1];
        synchronized (lock) {
            rules.reorder(p, max);
        }
        return this;
    }

    /** Cuts every link between a node of {@code sideA} and a node of {@code sideB}, both ways. */
    public LocalNetwork partition(Set<String> sideA, Set<String> sideB) {
        Objects.requireNonNull(sideA, "sideA");
        Objects.requireNonNull(sideB, "sideB");
        synchronized (lock) {
            for (String a : sideA) {
                for (String b : sideB) {
                    FaultRules.checkNode("node", a);
                    FaultRules.checkNode("node", b);
                    if (!a.equals(b)) {
                        rules.cut(a, b);
                        rules.cut(b, a);
                    }
                }
            }
        }
        return this;
    }

    /** Loses every message to or from {@code nodeId} (except to itself) until {@link #reconnect} or {@link #heal()}. */
    public LocalNetwork isolate(String nodeId) {
        FaultRules.checkNode("nodeId", nodeId);
        synchronized (lock) {
            rules.isolate(nodeId);
        }
        return this;
    }

    /** Undoes {@link #isolate} and every {@link #cut} or partition link to or from {@code nodeId}. */
    public LocalNetwork reconnect(String nodeId) {
        FaultRules.checkNode("nodeId", nodeId);
        synchronized (lock) {
            rules.reconnect(nodeId);
        }
        return this;
    }

    /** Removes every fault: no loss, no partition, no delay, no duplication, no reordering. */
    public LocalNetwork heal() {
        synchronized (lock) {
            rules.clear();
        }
        return this;
    }

    // ---- observation --------------------------------------------------------------------------

    /** Replaces the interceptor (default: allow everything); see {@link Interceptor}. */
    public void setInterceptor(Interceptor interceptor) {
        this.interceptor = Objects.requireNonNull(interceptor, "interceptor");
    }

    /** Adds a listener for every later send, drop and delivery. */
    public void addListener(NetworkListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener added before; does nothing if it was not. */
    public void removeListener(NetworkListener listener) {
        listeners.remove(listener);
    }

    /** Messages handed to the network so far. */
    public long sentCount() {
        return sent.get();
    }

    /** Message copies handed to a receiver so far (a duplicate counts twice). */
    public long deliveredCount() {
        return delivered.get();
    }

    /** Messages or copies lost so far, by a fault or for want of a running receiver. */
    public long droppedCount() {
        return dropped.get();
    }

    /** Message copies scheduled for delivery and not yet delivered or dropped. */
    public long inFlight() {
        return inFlight.get();
    }

    /** Ids of the nodes whose transport is started and not closed, sorted. */
    public Set<String> runningNodes() {
        Set<String> ids = new TreeSet<>();
        endpoints.forEach((id, t) -> {
            if (t.isRunning()) {
                ids.add(id);
            }
        });
        return ids;
    }

    // ---- machinery used by LocalTransport -----------------------------------------------------

    void register(LocalTransport transport) {
        endpoints.put(transport.nodeId(), transport);
    }

    void unregister(LocalTransport transport) {
        endpoints.remove(transport.nodeId(), transport);
    }

    boolean isCurrent(LocalTransport transport) {
        return endpoints.get(transport.nodeId()) == transport;
    }

    void send(String from, String to, Message message) {
        sent.incrementAndGet();
        notify(l -> l.onSend(from, to, message));
        boolean allowed;
        try {
            allowed = interceptor.allow(from, to, message);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "network interceptor failed; message dropped", e);
            allowed = false;
        }
        if (!allowed) {
            drop(from, to, message, "rejected by the interceptor");
            return;
        }
        long[] delays;
        if (from.equals(to)) {
            delays = new long[] {0};
        } else {
            FaultRules.Decision decision;
            synchronized (lock) {
                decision = rules.decide(from, to, message, random);
            }
            if (decision.dropped()) {
                drop(from, to, message, decision.dropReason());
                return;
            }
            delays = decision.delaysMillis();
        }
        for (long d : delays) {
            inFlight.incrementAndGet();
            scheduler.schedule(Duration.ofMillis(d), () -> deliver(from, to, message));
        }
    }

    private void deliver(String from, String to, Message message) {
        inFlight.decrementAndGet();
        LocalTransport target = endpoints.get(to);
        if (target == null || !target.isRunning()) {
            drop(from, to, message, to + " is not running");
            return;
        }
        delivered.incrementAndGet();
        notify(l -> l.onDeliver(from, to, message));
        target.deliver(from, message);
    }

    private void drop(String from, String to, Message message, String reason) {
        dropped.incrementAndGet();
        notify(l -> l.onDrop(from, to, message, reason));
    }

    private void notify(java.util.function.Consumer<NetworkListener> event) {
        for (NetworkListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "network listener failed", e);
            }
        }
    }

    private LocalNetwork withRules(java.util.function.Consumer<FaultRules> change, String from, String to) {
        FaultRules.checkNode("from", from);
        FaultRules.checkNode("to", to);
        synchronized (lock) {
            change.accept(rules);
        }
        return this;
    }

    private static long[] checkDelay(Duration min, Duration max) {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        if (min.isNegative()) {
            throw new IllegalArgumentException("min delay must be >= 0, got " + min);
        }
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("max delay must be >= min delay " + min + ", got " + max);
        }
        return new long[] {min.toMillis(), max.toMillis()};
    }
}
