package io.canary.internal.node;

import io.canary.time.ExecutorScheduler;
import io.canary.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every task a {@link NodeRuntime} runs on its scheduler goes through here, so that closing the node
 * is safe whoever calls it: tasks run one at a time with the closing thread's critical section (a
 * lock that only {@link #markClosed} contends for), none starts once the node is closed, and the first
 * task after closing began runs the node's farewell (the participant refuses new promises).
 *
 * <p>Why the lock: with a scheduler the node does not own, {@code close()} comes from another thread
 * while a protocol task may be appending to the state log; the log is closed only once no task runs.
 */
final class ProtocolTasks {
    /** How long close waits for queued tasks and then for a running one, each. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final Scheduler scheduler;
    private final ReentrantLock running = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private Runnable farewell = () -> { };
    private Runnable afterEach = () -> { };
    /** Tasks handed to {@link #execute} that have not started: events waiting to run (timers are not counted). */
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private boolean farewellDone; // under running

    ProtocolTasks(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** What the first task after {@link #beginClose} runs before its own work, on the protocol thread. */
    void onClosing(Runnable farewell) {
        this.farewell = farewell;
    }

    /** What runs after every task's own work, in the same critical section (the runtime forces its group commit there). */
    void afterEach(Runnable after) {
        this.afterEach = after;
    }

    void execute(Runnable body) {
        queued.incrementAndGet();
        scheduler.execute(() -> {
            queued.decrementAndGet();
            run(body);
        });
    }

    /** Events queued behind the running task (see {@link #execute}). */
    int queued() {
        return queued.get();
    }

    Scheduler.Cancellable schedule(Duration delay, Runnable body) {
        return scheduler.schedule(delay, () -> run(body));
    }

    boolean isClosed() {
        return closed.get();
    }

    private void run(Runnable body) {
        running.lock();
        try {
            if (closed.get()) {
                return;
            }
            if (closing.get() && !farewellDone) {
                farewellDone = true;
                farewell.run();
            }
            body.run();
            if (!closed.get()) {
                afterEach.run();
            }
        } finally {
            running.unlock();
        }
    }

    /** Starts closing; false if it had started already (close is idempotent). */
    boolean beginClose() {
        return closing.compareAndSet(false, true);
    }

    /**
     * Lets the tasks queued so far run (each is answered in farewell mode: a queued Prepare gets a NO),
     * for at most {@link #CLOSE_WAIT}. Only an {@link ExecutorScheduler} has a thread of its own to
     * wait for, and never from that thread; with any other scheduler this returns at once.
     */
    void drainQueued() {
        if (!(scheduler instanceof ExecutorScheduler executor) || executor.isSchedulerThread()) {
            return;
        }
        CountDownLatch drained = new CountDownLatch(1);
        scheduler.execute(() -> {
            try {
                run(() -> { });
            } finally {
                drained.countDown();
            }
        });
        await(drained);
    }

    /**
     * Marks the node closed once no task is running (waiting at most {@link #CLOSE_WAIT} for one),
     * runs {@code last} in that same critical section, and returns whether it got there in time
     * (false: a task overran and may still be running).
     */
    boolean markClosed(Runnable last) {
        boolean locked;
        try {
            locked = running.tryLock(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            locked = false;
        }
        try {
            closed.set(true);
            last.run();
        } finally {
            if (locked) {
                running.unlock();
            }
        }
        return locked;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
