package io.canary.internal.protocol;

import io.canary.model.RoutingState;
import io.canary.transport.Message.ForwardResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers callers, local and remote, and makes forwarded requests idempotent: the transport may
 * duplicate a ForwardRequest and the forwarding node resends it, so the coordinator remembers each
 * (sender, request id) it has seen, runs it once, and answers a repeat with the stored response.
 * This memory dies with the coordinator; across restarts {@link AcceptedRequests} (durable
 * RequestAccepted records) keeps a resent request from running again.
 */
public final class Replies {

    /** How a forwarded request should be handled. */
    public enum Admission {
        /** First time seen: run it. */
        NEW,
        /** Still running: the answer will come. */
        IN_FLIGHT,
        /** Already answered: the stored answer was resent. */
        ANSWERED
    }

    private static final int REMEMBERED = 4096;

    private record Key(String node, long requestId) {
    }

    // A value of null means "in flight"; bounded so that a long-lived coordinator does not grow.
    private final Map<Key, ForwardResponse> seen = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ForwardResponse> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** Admits a forwarded request; for a repeat of an answered one, {@code out} gets the stored answer. */
    public Admission admit(String from, long requestId, List<Effect> out) {
        Key key = new Key(from, requestId);
        if (!seen.containsKey(key)) {
            seen.put(key, null);
            return Admission.NEW;
        }
        ForwardResponse stored = seen.get(key);
        if (stored == null) {
            return Admission.IN_FLIGHT;
        }
        out.add(new Effect.Send(from, stored));
        return Admission.ANSWERED;
    }

    /**
     * Effects that tell {@code caller} the outcome.
     *
     * @param current the committed state, sent along with a failure to a remote caller
     */
    public List<Effect> reply(Caller caller, Outcome outcome, RoutingState current) {
        List<Effect> out = new ArrayList<>(1);
        if (caller instanceof Caller.Batch batch) {
            out.addAll(reply(batch.carrier(), outcome, current));
            Outcome told = Coalescing.riderOutcome(outcome, batch.carrierDescription());
            for (Caller rider : batch.riders()) {
                out.addAll(reply(rider, told, current));
            }
        } else if (caller instanceof Caller.Local local) {
            out.add(new Effect.Complete(local.callId(), outcome));
        } else if (caller instanceof Caller.Remote remote) {
            ForwardResponse response = outcome instanceof Outcome.Success success
                    ? (success.superseded()
                        ? new ForwardResponse(remote.requestId(), ForwardResponse.Outcome.SUPERSEDED, success.state(),
                                success.supersededBy().get())
                        : new ForwardResponse(remote.requestId(), ForwardResponse.Outcome.COMMITTED, success.state(), ""))
                    : failed(remote.requestId(), (Outcome.Failure) outcome, current);
            seen.put(new Key(remote.node(), remote.requestId()), response);
            out.add(new Effect.Send(remote.node(), response));
        }
        return out;
    }

    private static ForwardResponse failed(long requestId, Outcome.Failure failure, RoutingState current) {
        ForwardResponse.Outcome outcome = failure.outcomeUnknown()
                ? ForwardResponse.Outcome.UNKNOWN : ForwardResponse.Outcome.FAILED;
        return new ForwardResponse(requestId, outcome, current, failure.reason());
    }
}
