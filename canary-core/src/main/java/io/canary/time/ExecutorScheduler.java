package io.canary.time;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The production scheduler: one daemon thread named {@code canary-<nodeId>} that runs every task of a
 * node one at a time (the node's protocol thread), on the system clock.
 *
 * <p>Threading: every method is safe from any thread and never blocks, except {@link #close()},
 * which waits briefly for the running task to finish.
 *
 * <p>Failure: a task that throws is logged through {@link System.Logger} and the thread goes on with
 * the next task. Tasks submitted after {@link #close()} are dropped silently.
 */
public final class ExecutorScheduler implements Scheduler, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ExecutorScheduler.class.getName());
    private static final long CLOSE_WAIT_MILLIS = 2_000;

    private final String threadName;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    /** A scheduler on the system clock for node {@code nodeId}. */
    public ExecutorScheduler(String nodeId) {
        this(nodeId, Clock.systemUTC());
    }

    /** A scheduler whose {@link #nowMillis()} reads {@code clock}; delays still elapse in real time. */
    public ExecutorScheduler(String nodeId, Clock clock) {
        Objects.requireNonNull(nodeId, "nodeId");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.threadName = "canary-" + nodeId;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nowMillis() {
        return clock.millis();
    }

    /** {@link System#nanoTime()} in milliseconds: unmoved by wall-clock steps. */
    @Override
    public long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        try {
            executor.execute(() -> runSafely(task));
        } catch (RejectedExecutionException closed) {
            // Contract: tasks submitted after shutdown are dropped.
        }
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        long nanos = delay.isNegative() ? 0 : saturatedNanos(delay);
        try {
            ScheduledFuture<?> f = executor.schedule(() -> runSafely(task), nanos, TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException closed) {
            return () -> { };
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "task on " + threadName + " failed; the node goes on", e);
        }
    }

    /** True when called from this scheduler's thread (the node's protocol thread). */
    public boolean isSchedulerThread() {
        return Thread.currentThread() == thread;
    }

    /** The name of the scheduler's thread: {@code canary-<nodeId>}. */
    public String threadName() {
        return threadName;
    }

    /**
     * Stops the thread: queued and delayed tasks are dropped, the running task is interrupted and
     * awaited for up to two seconds (not awaited when called from the scheduler's own thread).
     * Idempotent; never throws.
     */
    @Override
    public void close() {
        executor.shutdownNow();
        if (isSchedulerThread()) {
            return;
        }
        try {
            if (!executor.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, threadName + " did not stop within " + CLOSE_WAIT_MILLIS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
