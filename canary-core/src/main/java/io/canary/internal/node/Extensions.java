package io.canary.internal.node;

import io.canary.ProposalFailedException;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.transport.Message;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The {@link NodeExtension}s of one node, called in order. An extension that throws is logged; it
 * cuts neither the other extensions nor the event it is part of short.
 *
 * <p>Called on the protocol thread only (and by close, once no task runs).
 */
final class Extensions {
    private static final System.Logger LOG = System.getLogger("io.canary.node");

    private final String selfId;
    private final List<NodeExtension> extensions;

    Extensions(String selfId, List<NodeExtension> extensions) {
        this.selfId = selfId;
        this.extensions = List.copyOf(extensions);
    }

    /** Calls every extension; one that throws is logged, and neither the others nor the event it is part of are cut short. */
    void each(String what, Consumer<NodeExtension> call) {
        for (NodeExtension extension : extensions) {
            try {
                call.accept(extension);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "[" + selfId + "] " + extension.getClass().getSimpleName() + "." + what + " threw", e);
            }
        }
    }

    /** The outcome of a command the protocol delegated: the first extension that takes it runs it. */
    CompletableFuture<RoutingState> run(Message.Command command) {
        for (NodeExtension extension : extensions) {
            CompletableFuture<RoutingState> result;
            try {
                result = extension.onCommand(command);
            } catch (RuntimeException e) {
                result = CompletableFuture.failedFuture(e);
            }
            if (result != null) {
                return result;
            }
        }
        // A runtime assembled without the rollout extension (CanaryNode always plugs it in).
        return CompletableFuture.failedFuture(new ProposalFailedException(selfId + " takes no rollout commands"));
    }

    /**
     * The records every extension keeps in a checkpoint. An extension that cannot say what it keeps
     * throws, which cancels the checkpoint: its records must not be lost.
     */
    List<LogRecord> checkpointRecords() {
        List<LogRecord> records = new ArrayList<>();
        for (NodeExtension extension : extensions) {
            records.addAll(extension.checkpointRecords());
        }
        return records;
    }
}
