package io.canary.time;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;

/**
 * Virtual time for tests and the simulator: time moves only when {@link #advance}, {@link #advanceTo}
 * or {@link #runPending} is called, and every due task runs on the caller's thread, in (due time,
 * submission order) order. Tasks that tasks schedule run in the same call if they fall due within it.
 * Two runs that submit the same tasks and advance the same way behave identically.
 *
 * <p>Threading: {@link #execute}, {@link #schedule}, {@link #nowMillis} and the queries are safe from
 * any thread; running tasks ({@code advance*}, {@code runPending}) must not be re-entered from a task
 * and is meant for one driving thread (the test).
 *
 * <p>Failure: a task that throws is logged, kept in {@link #failures()}, and does not stop the
 * others, as {@link Scheduler} requires; tests should assert {@code failures()} is empty.
 */
public final class ManualScheduler implements Scheduler {
    private static final System.Logger LOG = System.getLogger(ManualScheduler.class.getName());

    /** Guards against a task that keeps re-submitting itself at the same instant (a livelock). */
    static final int MAX_TASKS_PER_CALL = 10_000_000;

    private final Object lock = new Object();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final List<Throwable> failures = new ArrayList<>();
    private long now;
    private long sequence;
    private int live;
    private boolean running;

    /** A scheduler whose clock reads {@code startMillis} (epoch milliseconds) until advanced. */
    public ManualScheduler(long startMillis) {
        this.now = startMillis;
    }

    private long wallOffset;

    /** The wall clock: virtual time plus any {@link #stepWallClock} steps. */
    @Override
    public long nowMillis() {
        synchronized (lock) {
            return now + wallOffset;
        }
    }

    /** Virtual time itself: steps of the wall clock do not move it. Timers run on it. */
    @Override
    public long monotonicMillis() {
        synchronized (lock) {
            return now;
        }
    }

    /**
     * Steps the wall clock by {@code by} (forward or back), as NTP may: {@link #nowMillis()} moves,
     * {@link #monotonicMillis()} and the timers do not.
     */
    public void stepWallClock(Duration by) {
        synchronized (lock) {
            wallOffset += by.toMillis();
        }
    }

    /** Queues {@code task} to run at the current time, after tasks already due; it runs on the next advance or {@link #runPending()}. */
    @Override
    public void execute(Runnable task) {
        enqueue(0, task);
    }

    /**
     * Queues {@code task} to run once the clock has moved {@code delay} forward (a negative delay counts
     * as zero; sub-millisecond parts are rounded up so a task never runs early).
     */
    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        long millis = delay.isNegative() ? 0 : ceilMillis(delay);
        return enqueue(millis, task);
    }

    private static long ceilMillis(Duration d) {
        long millis = d.toMillis();
        return d.minusMillis(millis).isZero() ? millis : millis + 1;
    }

    private Task enqueue(long delayMillis, Runnable task) {
        Objects.requireNonNull(task, "task");
        synchronized (lock) {
            long due = delayMillis > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + delayMillis;
            Task t = new Task(due, sequence++, task);
            queue.add(t);
            live++;
            return t;
        }
    }

    /**
     * Moves the clock forward by {@code by}, running every task due up to the new time, each with the
     * clock set to its due time. Returns the number of tasks run.
     *
     * @throws IllegalArgumentException if {@code by} is negative
     * @throws IllegalStateException if called from a running task
     */
    public int advance(Duration by) {
        Objects.requireNonNull(by, "by");
        if (by.isNegative()) {
            throw new IllegalArgumentException("cannot advance by a negative duration: " + by);
        }
        long target;
        synchronized (lock) {
            target = now + by.toMillis();
        }
        return advanceTo(target);
    }

    /**
     * Moves the clock to {@code millis} (epoch milliseconds), running every task due up to then.
     * Returns the number of tasks run.
     *
     * @throws IllegalArgumentException if {@code millis} is before the current time
     * @throws IllegalStateException if called from a running task
     */
    public int advanceTo(long millis) {
        synchronized (lock) {
            if (millis < now) {
                throw new IllegalArgumentException("cannot move time back from " + now + " to " + millis);
            }
        }
        return runUntil(millis);
    }

    /** Runs every task due now (including {@link #execute}d ones and those they submit) without moving the clock. */
    public int runPending() {
        return runUntil(monotonicMillis());
    }

    private int runUntil(long target) {
        synchronized (lock) {
            if (running) {
                throw new IllegalStateException("ManualScheduler is already running tasks; a task must not advance time");
            }
            running = true;
        }
        int ran = 0;
        try {
            while (true) {
                Task next;
                synchronized (lock) {
                    next = pollDue(target);
                    if (next == null) {
                        now = Math.max(now, target);
                        return ran;
                    }
                    now = Math.max(now, next.due);
                }
                if (++ran > MAX_TASKS_PER_CALL) {
                    throw new IllegalStateException("more than " + MAX_TASKS_PER_CALL + " tasks in one call: a task keeps re-submitting itself");
                }
                runSafely(next.task);
            }
        } finally {
            synchronized (lock) {
                running = false;
            }
        }
    }

    private Task pollDue(long target) {
        while (!queue.isEmpty()) {
            Task head = queue.peek();
            if (head.cancelled) {
                queue.poll();
                continue;
            }
            if (head.due > target) {
                return null;
            }
            queue.poll();
            head.done = true;
            live--;
            return head;
        }
        return null;
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "scheduled task failed", e);
            synchronized (lock) {
                failures.add(e);
            }
        }
    }

    /** Tasks queued and not cancelled, whether due or not. */
    public int pendingTasks() {
        synchronized (lock) {
            return live;
        }
    }

    /** Due time of the earliest queued, not cancelled task; empty when none is queued. */
    public OptionalLong nextTaskTime() {
        synchronized (lock) {
            while (!queue.isEmpty() && queue.peek().cancelled) {
                queue.poll();
            }
            return queue.isEmpty() ? OptionalLong.empty() : OptionalLong.of(queue.peek().due);
        }
    }

    /** What tasks threw so far, oldest first (they were logged and did not stop the scheduler). */
    public List<Throwable> failures() {
        synchronized (lock) {
            return Collections.unmodifiableList(new ArrayList<>(failures));
        }
    }

    private final class Task implements Comparable<Task>, Cancellable {
        final long due;
        final long seq;
        final Runnable task;
        boolean cancelled; // guarded by lock
        boolean done;      // guarded by lock

        Task(long due, long seq, Runnable task) {
            this.due = due;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            synchronized (lock) {
                if (!cancelled && !done) {
                    cancelled = true;
                    live--;
                }
            }
        }
    }
}
