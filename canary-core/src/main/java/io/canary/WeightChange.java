package io.canary;

import io.canary.model.RoutingState;
import java.util.Objects;
import java.util.Optional;

/**
 * How a weight change ended when it committed ({@link CanaryNode#setWeights}). Queued weight sets are
 * merged into one transaction, the last one's weights winning (a later absolute weight set supersedes
 * an earlier one): the caller learns which committed version carries its change, or that a later
 * change superseded it and which version carries that one. Immutable.
 *
 * @param committed the committed state that carries this change, or the change that superseded it
 * @param supersededBy the later change that superseded this one (its description, e.g. "weights {v1=1.0,
 *     v2=0.0}"), empty when {@code committed} carries this change itself
 */
public record WeightChange(RoutingState committed, Optional<String> supersededBy) {
    public WeightChange {
        Objects.requireNonNull(committed, "committed");
        Objects.requireNonNull(supersededBy, "supersededBy");
    }

    /** True if a later weight set superseded this one: {@link #committed()} carries the later one. */
    public boolean superseded() {
        return supersededBy.isPresent();
    }

    /** The committed version that carries this change (or the change that superseded it). */
    public long version() {
        return committed.version();
    }
}
