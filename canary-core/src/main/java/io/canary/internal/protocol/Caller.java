package io.canary.internal.protocol;

import java.util.List;
import java.util.Objects;

/** Who waits for the outcome of a request: a future on this node, or a node that forwarded it. */
public sealed interface Caller {

    /** A future on this node, completed through {@link Effect.Complete}. */
    record Local(long callId) implements Caller {
    }

    /**
     * Every caller of a coalesced batch ({@link Coalescing}): the carrier, whose change the
     * transaction proposes, and the riders it superseded, in queue order. Answering it answers each:
     * the carrier with the outcome, every rider with the same committed state marked superseded by
     * {@code carrierDescription}, or with the same failure.
     */
    record Batch(Caller carrier, List<Caller> riders, String carrierDescription) implements Caller {
        public Batch {
            Objects.requireNonNull(carrier, "carrier");
            riders = List.copyOf(riders);
            Objects.requireNonNull(carrierDescription, "carrierDescription");
        }
    }

    /** A node that forwarded the request; answered with a ForwardResponse. */
    record Remote(String node, long requestId) implements Caller {
        public Remote {
            Objects.requireNonNull(node, "node");
        }
    }
}
