package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.transport.Message.Command;
import io.canary.transport.Message.ForwardRequest;
import io.canary.transport.Message.ForwardResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a caller's command on the coordinator from another node: sends it to whoever coordinates
 * now, resends it until answered (the coordinator runs it once however often it arrives; a node
 * that does not coordinate drops it), and gives the caller a clear timeout if no answer comes. When
 * the coordinator changes under a request (another node, or the same in a newer term), only a weight
 * change (absolute, so the same result if run twice) follows it to the new one; anything else ends
 * "outcome unknown", since the old coordinator may have run it and its successor cannot know. Each
 * request carries the term it was first sent in, which the coordinator checks too ({@link Commands}).
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
public final class Forwarder {

    /**
     * A request under way; {@code sentTo} is the coordinator it first went to ("" while none was known), in
     * {@code sentTerm}.
     */
    private record Pending(long callId, Command command, String sentTo, long sentTerm) {
    }

    private final java.util.function.Supplier<String> coordinator;
    private final java.util.function.LongSupplier term;
    private final java.util.function.Supplier<java.util.Set<PlantedBug>> planted;
    private final NodeConfig config;
    private final Map<Long, Pending> pending = new HashMap<>();
    private long nextRequestId;

    /**
     * @param requestIdBase where request ids start; it must differ across restarts of this node
     *     (the coordinator remembers ids it has answered), so the runtime passes a random value
     * @param coordinator who coordinates as this node knows ("" if nobody), in the term {@code term} returns
     * @param planted the simulator's planted bugs ({@link PlantedBug#FORWARD_RUNS_IN_ANY_TERM}: a newer term of the
     *     same node counts as no change)
     */
    public Forwarder(java.util.function.Supplier<String> coordinator, java.util.function.LongSupplier term,
                     java.util.function.Supplier<java.util.Set<PlantedBug>> planted, NodeConfig config, long requestIdBase) {
        this.coordinator = coordinator;
        this.term = term;
        this.planted = planted;
        this.config = config;
        this.nextRequestId = requestIdBase;
    }

    public List<Effect> forward(long callId, Command command) {
        long requestId = nextRequestId++;
        String to = coordinator.get();
        long sentTerm = term.getAsLong();
        pending.put(requestId, new Pending(callId, command, to, sentTerm));
        List<Effect> out = new ArrayList<>(3);
        if (!to.isEmpty()) {
            // Without a known coordinator (an election runs) the first resend after one is elected carries it.
            out.add(new Effect.Send(to, new ForwardRequest(requestId, sentTerm, command)));
        }
        out.add(new Effect.Schedule(config.requestTimeout(), new Timer.RequestTimeout(requestId)));
        out.add(new Effect.Schedule(config.retryInterval(), new Timer.RequestResend(requestId)));
        return out;
    }

    public List<Effect> onResponse(String from, ForwardResponse response) {
        List<Effect> out = new ArrayList<>(1);
        Pending p = pending.remove(response.requestId());
        if (p != null) {
            out.add(new Effect.Complete(p.callId(), outcome(response)));
        }
        return out;
    }

    private static Outcome outcome(ForwardResponse response) {
        return switch (response.outcome()) {
            case COMMITTED -> Outcome.success(response.state());
            case SUPERSEDED -> Outcome.superseded(response.state(), response.error());
            case FAILED -> Outcome.failure(response.error());
            case UNKNOWN -> Outcome.unknown(response.error());
        };
    }

    public List<Effect> onResend(long requestId) {
        List<Effect> out = new ArrayList<>(2);
        Pending p = pending.get(requestId);
        if (p != null) {
            String to = coordinator.get();
            long now = term.getAsLong();
            if (!p.sentTo().isEmpty() && !to.isEmpty() && (!to.equals(p.sentTo()) || now != p.sentTerm() && !planted.get().contains(PlantedBug.FORWARD_RUNS_IN_ANY_TERM))
                    && !(p.command() instanceof io.canary.transport.Message.ProposeWeights)) {
                // The coordinator changed under a request that is not safe to run twice (a promotion
                // by one step, a rollout start): the old one may have run it, and only it knew. The same
                // node in a newer term counts as another: it restarted (its disk may have lost its memory).
                pending.remove(requestId);
                out.add(new Effect.Complete(p.callId(), Outcome.unknown("the coordinator changed from " + p.sentTo()
                        + " (term " + p.sentTerm() + ") to " + to + " (term " + now + ") while this request was under way;"
                        + " it may have run: check the rollout status before retrying")));
                return out;
            }
            Pending sent = p;
            if (p.sentTo().isEmpty() && !to.isEmpty()) {
                sent = new Pending(p.callId(), p.command(), to, now);
                pending.put(requestId, sent);
            }
            if (!to.isEmpty()) {
                // To whoever coordinates now: a request sent to a node that lost the role is dropped there.
                out.add(new Effect.Send(to, new ForwardRequest(requestId, sent.sentTerm(), p.command())));
            }
            out.add(new Effect.Schedule(config.retryInterval(), new Timer.RequestResend(requestId)));
        }
        return out;
    }

    public List<Effect> onTimeout(long requestId) {
        List<Effect> out = new ArrayList<>(1);
        Pending p = pending.remove(requestId);
        if (p != null) {
            String to = coordinator.get();
            out.add(new Effect.Complete(p.callId(), Outcome.unknown((to.isEmpty() ? "no coordinator was elected"
                    : "the coordinator " + to + " did not answer") + " within " + Durations.human(config.requestTimeout()))));
        }
        return out;
    }

    /** Fails every waiting caller, e.g. when the node closes. */
    public List<Effect> failAll(String reason) {
        List<Effect> out = new ArrayList<>();
        for (Pending p : pending.values()) {
            out.add(new Effect.Complete(p.callId(), Outcome.failure(reason)));
        }
        pending.clear();
        return out;
    }
}
