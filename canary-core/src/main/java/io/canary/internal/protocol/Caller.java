package io.canary.internal.protocol;

import java.util.Objects;

/** Who waits for the outcome of a request: a future on this node, or a node that forwarded it. */
public sealed interface Caller {

    /** A future on this node, completed through {@link Effect.Complete}. */
    record Local(long callId) implements Caller {
    }

    /** A node that forwarded the request; answered with a ForwardResponse. */
    record Remote(String node, long requestId) implements Caller {
        public Remote {
            Objects.requireNonNull(node, "node");
        }
    }
}
