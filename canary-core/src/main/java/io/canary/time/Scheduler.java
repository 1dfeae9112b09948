package io.canary.time;

import java.time.Duration;

/**
 * A node's notion of time and its protocol thread. Protocol code never reads the wall clock nor
 * starts threads: it asks its scheduler. Production nodes use a single-threaded executor on the
 * system clock; tests and the simulator use a manual scheduler whose time only moves when told.
 */
public interface Scheduler {

    /** Current time in epoch milliseconds. Safe from any thread; never blocks. */
    long nowMillis();

    /**
     * Runs {@code task} on the protocol thread as soon as possible, after tasks submitted before
     * it. Safe from any thread; never blocks. Tasks submitted after shutdown are dropped.
     */
    void execute(Runnable task);

    /**
     * Runs {@code task} on the protocol thread once {@code delay} has passed. Safe from any
     * thread; never blocks. A task that throws is logged and does not stop the scheduler.
     *
     * @return a handle whose {@code cancel()} prevents the task if it has not started
     */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task that can still be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        /** Prevents the task from running if it has not started. Idempotent. */
        void cancel();
    }
}
