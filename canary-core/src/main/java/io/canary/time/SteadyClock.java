package io.canary.time;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Epoch milliseconds that advance with a scheduler's monotonic clock: the wall clock is read once,
 * when this clock is made, and from then on only the monotonic time elapsed is added. A wall-clock
 * step after that (NTP, an operator, a VM restored from a snapshot) moves nothing here, so what is
 * measured on it (how long a rollout step or a pause has lasted, when a rollback is retried, which
 * health sub-window a request falls in) neither stalls for the length of a step back nor jumps a
 * step forward.
 *
 * <p>The price: the timestamps it gives keep whatever error the wall clock had at start. Records a
 * person reads as dates (a commit's {@code committedAt}, a forwarded request's ACCEPTED time) stay
 * on the wall clock itself.
 *
 * <p>Thread-safe (immutable; the scheduler's clocks are safe from any thread).
 */
public final class SteadyClock implements LongSupplier {
    private final Scheduler scheduler;
    private final long wallAtStart;
    private final long monotonicAtStart;

    /** A steady clock anchored to {@code scheduler}'s wall clock now. */
    public SteadyClock(Scheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.monotonicAtStart = scheduler.monotonicMillis();
        this.wallAtStart = scheduler.nowMillis();
    }

    /** Epoch milliseconds: the wall clock at creation plus the monotonic time elapsed since. */
    @Override
    public long getAsLong() {
        return wallAtStart + (scheduler.monotonicMillis() - monotonicAtStart);
    }
}
