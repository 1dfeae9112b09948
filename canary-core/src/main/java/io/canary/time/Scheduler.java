package io.canary.time;

import java.time.Duration;

/**
 * A node's notion of time and its protocol thread. Protocol code never reads the wall clock nor
 * starts threads: it asks its scheduler. Production nodes use a single-threaded executor on the
 * system clock ({@link ExecutorScheduler}); tests and the simulator use a manual scheduler whose
 * time only moves when told ({@link ManualScheduler}), whose tasks run on the thread that moves it.
 *
 * <p>Contract for implementations: the tasks of one scheduler run one at a time, never
 * concurrently, and each sees the effects of the ones before it (the node's state machines hold no
 * locks because of this); tasks given to {@link #execute} run in the order they were given. Several
 * nodes may share one scheduler (a {@code LocalCluster} does).
 */
public interface Scheduler {

    /** Current time in epoch milliseconds. Safe from any thread; never blocks; never throws. */
    long nowMillis();

    /**
     * Milliseconds on a monotonic clock (arbitrary origin, never going back, unmoved by wall-clock
     * steps): what timeouts, reachability and leases are measured on. Safe from any thread; never
     * blocks; never throws. The default is {@link #nowMillis()}, for schedulers whose clock cannot step.
     */
    default long monotonicMillis() {
        return nowMillis();
    }

    /**
     * Runs {@code task} on the protocol thread as soon as possible, after tasks submitted before
     * it. Safe from any thread; never blocks. Tasks submitted after shutdown are dropped silently. A
     * task that throws is logged and does not stop the scheduler.
     */
    void execute(Runnable task);

    /**
     * Runs {@code task} on the protocol thread once {@code delay} has passed (a zero or negative
     * delay: as soon as possible). Safe from any thread; never blocks. Dropped after shutdown; a
     * task that throws is logged and does not stop the scheduler.
     *
     * @return a handle whose {@code cancel()} prevents the task if it has not started
     */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task that can still be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        /** Prevents the task from running if it has not started. Safe from any thread; idempotent; never throws. */
        void cancel();
    }
}
