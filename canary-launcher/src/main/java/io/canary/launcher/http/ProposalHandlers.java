package io.canary.launcher.http;

import io.canary.ProposalFailedException;
import io.canary.ProposalTimeoutException;
import io.canary.launcher.http.api.RolloutRequest;
import io.canary.launcher.http.api.StateView;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Endpoints that change the fleet: weights and rollout commands. Input is validated here (400
 * naming the problem) before anything reaches the protocol; the outcome maps to 200 (committed
 * state), 409 (aborted or refused, with the reason) or 504 (no outcome in time). The Jetty thread
 * is released while the transaction runs.
 */
final class ProposalHandlers {
    /**
     * Where answers are written: a node completes a proposal's future on its protocol thread, and the
     * JSON and the HTTP write of every answer (sixteen of them for a coalesced batch of sixteen callers)
     * would otherwise hold that thread up before it sends Commit and the next Prepare. One daemon thread
     * for every node of the JVM: it only formats and writes.
     */
    private static final java.util.concurrent.Executor ANSWERS = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "canary-api-answers");
        t.setDaemon(true);
        return t;
    });

    private final NodeApi node;
    private final WeightsInput input;
    private final RequestBodies bodies;
    private final Duration deadline;

    ProposalHandlers(NodeApi node, WeightsInput input, RequestBodies bodies, Duration deadline) {
        this.node = node;
        this.input = input;
        this.bodies = bodies;
        this.deadline = deadline;
    }

    void weights(Context ctx) {
        Weights weights = input.read(bodies.read(ctx));
        respond(ctx, () -> node.setWeights(weights), change -> StateView.of(change, node.coordination()));
    }

    void startRollout(Context ctx) {
        RolloutRequest request = bodies.parse(ctx, RolloutRequest.class);
        if (request == null) {
            throw ApiException.badRequest("expected a body like {\"canary\":\"v2\",\"steps\":[5,25,50,100]}");
        }
        RolloutPlan plan;
        try {
            plan = request.toPlan(node.state().baseline());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid rollout: " + e.getMessage());
        }
        input.checkServable(java.util.List.of(plan.baseline(), plan.canary()), "rollout names");
        respond(ctx, () -> node.startRollout(plan), this::view);
    }

    void controlRollout(Context ctx) {
        String name = ctx.pathParam("action");
        RolloutAction action;
        try {
            action = RolloutAction.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException(404, "no such rollout action '" + name + "' (known: pause, resume, promote, abort)");
        }
        respond(ctx, () -> node.controlRollout(action), this::view);
    }

    private StateView view(RoutingState state) {
        return StateView.of(state, node.coordination());
    }

    private <T> void respond(Context ctx, java.util.function.Supplier<CompletableFuture<T>> proposal,
                             java.util.function.Function<T, StateView> view) {
        ctx.future(() -> {
            CompletableFuture<T> f;
            try {
                f = proposal.get();
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            // A copy: the timeout must not complete the node's own future.
            return f.copy().orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .handleAsync((state, failure) -> {
                        if (failure == null) {
                            ctx.status(200).json(view.apply(state));
                        } else {
                            throw failureToApi(failure);
                        }
                        return null;
                    }, ANSWERS);
        });
    }


    static ApiException failureToApi(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ApiException api) {
            return api;
        }
        if (t instanceof ProposalFailedException) {
            // Unknown outcome (may still commit): 504; a refusal or abort: 409.
            return new ApiException(t instanceof ProposalTimeoutException ? 504 : 409, t.getMessage());
        }
        if (t instanceof TimeoutException) {
            String detail = t.getMessage() == null ? "" : ": " + t.getMessage();
            return new ApiException(504, "no decision in time" + detail);
        }
        if (t instanceof IllegalArgumentException) {
            return ApiException.badRequest(t.getMessage());
        }
        if (t instanceof IllegalStateException) {
            return new ApiException(409, t.getMessage());
        }
        return new ApiException(500, "internal error: " + t.getClass().getSimpleName()
                + (t.getMessage() != null ? ": " + t.getMessage() : ""));
    }
}
