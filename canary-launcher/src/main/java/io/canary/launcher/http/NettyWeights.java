package io.canary.launcher.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.WeightChange;
import io.canary.launcher.http.api.StateView;
import io.canary.model.Weights;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * {@code POST /routing/weights} on the data port's Netty event loops ({@link DataPortFront}): the same
 * contract as the Javalin route ({@link ProposalHandlers#weights}, still used behind
 * {@code -Dcanary.predict.engine=javalin}) without relaying the request to Javalin on a loopback port
 * and back (issue 13: that relay, Jetty's threads and the answer thread cost more per commit than the
 * protocol's own fsync round). In order: the same {@link AdminGuard} on the address the front saw on
 * the socket (a client's {@code X-Canary-Peer} is never read) and the {@code Authorization} header
 * (401/403 before the body is even parsed); the same {@link WeightsInput} (400 with the same words);
 * then {@link NodeApi#setWeights}, answered from its future: 200 with the committed state
 * ({@code supersededBy} when a later queued weight set carried this one), 409 aborted or refused, 504
 * unknown outcome or nothing within the answer deadline ({@link ProposalHandlers#failureToApi}).
 *
 * <p>Threading: {@link #serve} on an event loop, which never waits: the node completes the future on
 * its protocol thread, and the answer is written back on the request's own loop.
 */
final class NettyWeights {
    private final NodeApi node;
    private final AdminGuard guard;
    private final WeightsInput input;
    private final ObjectMapper mapper;
    private final long deadlineMillis;

    NettyWeights(NodeApi node, AdminGuard guard, WeightsInput input, ObjectMapper mapper, Duration deadline) {
        this.node = node;
        this.guard = guard;
        this.input = input;
        this.mapper = mapper;
        this.deadlineMillis = deadline.toMillis();
    }

    /**
     * Serves one request (released here); {@code answer} gets the response once, on {@code loop}.
     *
     * @param peer the caller's address as the front's socket saw it
     */
    void serve(EventLoop loop, FullHttpRequest request, String peer, Consumer<FullHttpResponse> answer) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        byte[] body = ByteBufUtil.getBytes(request.content());
        request.release();
        Weights weights;
        try {
            guard.check(peer, authorization);
            weights = input.read(body);
        } catch (ApiException e) {
            answer.accept(FrontConnection.error(HttpResponseStatus.valueOf(e.status()), e.getMessage()));
            return;
        }
        CompletableFuture<WeightChange> change;
        try {
            change = node.setWeights(weights);
        } catch (RuntimeException e) {
            change = CompletableFuture.failedFuture(e);
        }
        Answer once = new Answer(answer);
        once.timeout = loop.schedule(() -> once.give(null, new TimeoutException()), deadlineMillis, TimeUnit.MILLISECONDS);
        change.whenComplete((c, failure) -> {
            if (loop.inEventLoop()) {
                once.give(c, failure);
            } else {
                loop.execute(() -> once.give(c, failure));
            }
        });
    }

    /** The one answer of a request: the outcome or the deadline, whichever comes first (on the loop only). */
    private final class Answer {
        private final Consumer<FullHttpResponse> answer;
        private ScheduledFuture<?> timeout;
        private boolean given;

        Answer(Consumer<FullHttpResponse> answer) {
            this.answer = answer;
        }

        void give(WeightChange change, Throwable failure) {
            if (given) {
                return;
            }
            given = true;
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (failure != null) {
                ApiException e = ProposalHandlers.failureToApi(failure);
                answer.accept(FrontConnection.error(HttpResponseStatus.valueOf(e.status()), e.getMessage()));
                return;
            }
            byte[] json;
            try {
                json = mapper.writeValueAsBytes(StateView.of(change, node.coordination()));
            } catch (JsonProcessingException | RuntimeException e) {
                answer.accept(FrontConnection.error(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        "internal error: " + e.getClass().getSimpleName()));
                return;
            }
            answer.accept(NettyPredict.response(HttpResponseStatus.OK, json, null));
        }
    }
}
