package io.canary.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ExecutorSchedulerTest {

    @Test
    void tasksRunOneAtATimeInSubmissionOrderOnANamedDaemonThread() throws Exception {
        try (ExecutorScheduler scheduler = new ExecutorScheduler("node-a")) {
            List<String> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Thread> thread = new CompletableFuture<>();
            for (int i = 0; i < 100; i++) {
                int id = i;
                scheduler.execute(() -> seen.add(String.valueOf(id)));
            }
            scheduler.execute(() -> thread.complete(Thread.currentThread()));

            Thread t = thread.get(5, TimeUnit.SECONDS);
            assertThat(t.getName()).isEqualTo("canary-node-a");
            assertThat(t.isDaemon()).isTrue();
            assertThat(seen).hasSize(100).first().isEqualTo("0");
            assertThat(seen).last().isEqualTo("99");
            assertThat(seen).isSortedAccordingTo((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
        }
    }

    @Test
    void throwingTaskDoesNotKillTheThread() throws Exception {
        try (ExecutorScheduler scheduler = new ExecutorScheduler("node-b")) {
            CompletableFuture<String> after = new CompletableFuture<>();
            scheduler.execute(() -> {
                throw new IllegalStateException("expected failure in test");
            });
            scheduler.schedule(Duration.ofMillis(1), () -> {
                throw new IllegalStateException("expected failure in test");
            });
            scheduler.schedule(Duration.ofMillis(5), () -> after.complete(Thread.currentThread().getName()));
            assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo("canary-node-b");
        }
    }

    @Test
    void cancelledTaskDoesNotRun() throws Exception {
        try (ExecutorScheduler scheduler = new ExecutorScheduler("node-c")) {
            AtomicBoolean ran = new AtomicBoolean();
            Scheduler.Cancellable c = scheduler.schedule(Duration.ofMillis(50), () -> ran.set(true));
            c.cancel();
            CompletableFuture<Void> later = new CompletableFuture<>();
            scheduler.schedule(Duration.ofMillis(100), () -> later.complete(null));
            later.get(5, TimeUnit.SECONDS);
            assertThat(ran).isFalse();
        }
    }

    @Test
    void closeStopsPromptlyAndDropsLaterTasks() throws Exception {
        ExecutorScheduler scheduler = new ExecutorScheduler("node-d");
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean delayedRan = new AtomicBoolean();
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        scheduler.execute(() -> thread.complete(Thread.currentThread()));
        scheduler.execute(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(); // blocks until close() interrupts it
            } catch (InterruptedException expected) {
                Thread.currentThread().interrupt();
            }
        });
        scheduler.schedule(Duration.ofMillis(200), () -> delayedRan.set(true));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        long before = System.nanoTime();
        scheduler.close();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
        // The executor reports termination just before its worker thread has fully exited: join it.
        thread.get().join(2_000);
        assertThat(thread.get().isAlive()).isFalse();

        scheduler.execute(() -> delayedRan.set(true)); // dropped, does not throw
        scheduler.schedule(Duration.ZERO, () -> delayedRan.set(true)).cancel();
        scheduler.close(); // idempotent
        assertThat(delayedRan).isFalse();
    }

    @Test
    void clockIsTheSystemClock() {
        try (ExecutorScheduler scheduler = new ExecutorScheduler("node-e")) {
            long before = System.currentTimeMillis();
            long now = scheduler.nowMillis();
            assertThat(now).isBetween(before, System.currentTimeMillis());
        }
    }
}
