package io.canary.sim;

/** Thrown inside a node's effect executor to stop it dead mid-event: the simulator's crash. */
final class NodeCrash extends RuntimeException {
    final boolean tornWrite;

    NodeCrash(String where, boolean tornWrite) {
        super(where, null, false, false);
        this.tornWrite = tornWrite;
    }
}
