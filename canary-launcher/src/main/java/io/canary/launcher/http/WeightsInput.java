package io.canary.launcher.http;

import io.canary.launcher.http.api.WeightsRequest;
import io.canary.model.Weights;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code POST /routing/weights} body made {@link Weights}, or the 400 that says what is wrong: the one
 * validation both routes use (the Javalin route in {@link ProposalHandlers} and {@link NettyWeights} on
 * the data port's front), so their answers to bad input are the same words.
 *
 * <p>Threading: any thread; immutable.
 */
final class WeightsInput {
    private final RequestBodies bodies;
    private final Set<String> servable;

    WeightsInput(RequestBodies bodies, Set<String> servable) {
        this.bodies = bodies;
        this.servable = new TreeSet<>(servable);
    }

    /** The weights {@code body} asks for. @throws ApiException 400 naming the problem */
    Weights read(byte[] body) {
        WeightsRequest request = bodies.parse(body, WeightsRequest.class);
        if (request == null || request.weights() == null) {
            throw ApiException.badRequest("expected a body like {\"weights\":{\"v1\":0.9,\"v2\":0.1}}");
        }
        Weights weights;
        try {
            weights = Weights.of(request.weights());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ApiException.badRequest("invalid weights: " + e.getMessage());
        }
        checkServable(weights.versions(), "weights name");
        return weights;
    }

    /** @throws ApiException 400 naming every version of {@code versions} this node does not serve */
    void checkServable(Iterable<String> versions, String what) {
        Set<String> unknown = new TreeSet<>();
        for (String v : versions) {
            if (!servable.contains(v)) {
                unknown.add(v);
            }
        }
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest(what + " unknown version" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + " (this node serves " + String.join(", ", servable) + ")");
        }
    }
}
