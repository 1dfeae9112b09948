package io.canary.internal.node;

import io.canary.ProposalFailedException;
import io.canary.ProposalTimeoutException;
import io.canary.internal.protocol.Durations;
import io.canary.internal.protocol.Outcome;
import io.canary.model.RoutingState;
import io.canary.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The API callers of one node waiting for an outcome, each under a call id the protocol answers
 * ({@code Effect.Complete}). Every call also gets a backstop timer, so that no caller waits forever
 * whatever happens; the protocol's own timeouts (prepare, request) answer first.
 *
 * <p>Thread-safe: calls are registered from any thread and completed on the protocol thread (or by
 * the backstop, or by close).
 */
final class PendingCalls {

    private final String selfId;
    private final Map<Long, CompletableFuture<RoutingState>> calls = new ConcurrentHashMap<>();
    private final AtomicLong nextCallId = new AtomicLong();
    private final Map<Long, CompletableFuture<Outcome.Success>> detailed = new ConcurrentHashMap<>();

    PendingCalls(String selfId) {
        this.selfId = selfId;
    }

    /** Registers a caller's future; it fails with a {@link ProposalTimeoutException} if nothing answers within {@code backstop}. */
    long register(CompletableFuture<RoutingState> future, Scheduler scheduler, Duration backstop) {
        long callId = nextCallId.incrementAndGet();
        calls.put(callId, future);
        scheduler.schedule(backstop, () -> {
            CompletableFuture<RoutingState> late = calls.remove(callId);
            if (late != null) {
                late.completeExceptionally(new ProposalTimeoutException(selfId + " got no outcome within "
                        + Durations.human(backstop)));
            }
        });
        return callId;
    }

    /**
     * Like {@link #register}, for a caller that wants the whole success (e.g. whether a later change
     * superseded its own, see {@code Coalescing}); it completes together with {@code future}.
     */
    long register(CompletableFuture<RoutingState> future, CompletableFuture<Outcome.Success> detailed,
                  Scheduler scheduler, Duration backstop) {
        long callId = register(future, scheduler, backstop);
        this.detailed.put(callId, detailed);
        future.whenComplete((s, e) -> {
            CompletableFuture<Outcome.Success> d = this.detailed.remove(callId);
            if (d != null && e != null) {
                d.completeExceptionally(e);
            }
        });
        return callId;
    }

    /** The protocol's outcome for {@code callId}: an outcome-unknown failure is a {@link ProposalTimeoutException}. */
    void complete(long callId, Outcome outcome) {
        CompletableFuture<Outcome.Success> d = outcome instanceof Outcome.Success ? detailed.remove(callId) : null;
        if (d != null) {
            d.complete((Outcome.Success) outcome);
        }
        CompletableFuture<RoutingState> future = calls.remove(callId);
        if (future == null) {
            return;
        }
        if (outcome instanceof Outcome.Success s) {
            future.complete(s.state());
        } else {
            Outcome.Failure failure = (Outcome.Failure) outcome;
            future.completeExceptionally(failure.outcomeUnknown()
                    ? new ProposalTimeoutException(failure.reason())
                    : new ProposalFailedException(failure.reason()));
        }
    }

    /** Fails every waiting caller with {@code reason}. */
    void failAll(String reason) {
        for (Long id : List.copyOf(calls.keySet())) {
            CompletableFuture<RoutingState> f = calls.remove(id);
            if (f != null) {
                f.completeExceptionally(new ProposalFailedException(reason));
            }
        }
    }
}
