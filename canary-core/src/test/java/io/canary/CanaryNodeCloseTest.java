package io.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.log.LogRecord;
import io.canary.log.MemoryStateLog;
import io.canary.log.StateLog;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.testing.LocalCluster;
import io.canary.time.ExecutorScheduler;
import io.canary.time.Scheduler;
import io.canary.transport.Message;
import io.canary.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Closing a node whose protocol thread is busy, from another thread, as a service's shutdown hook
 * does. Real threads here (that is the point), synchronized by latches: nothing sleeps.
 */
class CanaryNodeCloseTest {
    static final long TX = 42;
    static final RoutingState PROPOSED = RoutingState.initial("v1", "v2")
            .next(Weights.split("v1", "v2", 5), "v1", RolloutInfo.NONE, TX, 0);

    final ExecutorScheduler executor = new ExecutorScheduler("node-b");
    final RecordingTransport transport = new RecordingTransport();

    @AfterEach
    void stopThreads() {
        executor.close();
    }

    CanaryNode participant(Scheduler scheduler, StateLog log) {
        return CanaryNode.builder().nodeId("node-b").members(List.of("node-a", "node-b")).coordinatorId("node-a")
                .transport(transport).stateLog(log).scheduler(scheduler).config(LocalCluster.DEFAULT_CONFIG).build().start();
    }

    @Test
    void aPrepareQueuedWhileTheNodeClosesIsAnsweredNoWithTheReasonAndPromisesNothing() throws Exception {
        MemoryStateLog log = new MemoryStateLog("node-b");
        log.append(new LogRecord.TermVote(1, "node-a"), true); // in term 1: a log without any term takes part in nothing yet
        CanaryNode node = participant(executor, log);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> {
            busy.countDown();
            awaitQuietly(release);
        });
        assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
        transport.deliver("node-a", new Message.Prepare(1, TX, PROPOSED)); // queued behind the busy task

        Thread closer = startClosing(node);
        release.countDown();
        closer.join(10_000);

        assertThat(closer.isAlive()).isFalse();
        assertThat(transport.votes()).containsExactly(Message.Vote.no(1, TX, Message.Refusal.SHUTTING_DOWN, "node-b is shutting down"));
        assertThat(log.records()).noneMatch(r -> r instanceof LogRecord.Prepared);
        assertThat(log.isOpen()).isFalse();
        assertThat(transport.closed).isTrue();
    }

    @Test
    void aCloseFromAnotherThreadWaitsForTheRunningTaskBeforeClosingTheLog() throws Exception {
        // Not an ExecutorScheduler: close cannot drain its queue, only wait for the running task.
        Scheduler foreign = new Foreign(executor);
        SlowLog log = new SlowLog();
        CanaryNode node = participant(foreign, log);
        transport.deliver("node-a", new Message.Prepare(1, TX, PROPOSED));
        assertThat(log.appending.await(30, TimeUnit.SECONDS)).as("the PREPARED append started").isTrue();

        Thread closer = startClosing(node);
        log.release.countDown();
        closer.join(10_000);

        assertThat(closer.isAlive()).isFalse();
        assertThat(log.closedDuringAppend).as("the log was closed under a running append").isFalse();
        assertThat(log.isOpen()).isFalse();
        assertThat(transport.votes()).as("the task finished its work: the promise is durable, then YES")
                .containsExactly(Message.Vote.yes(1, TX));
        assertThat(log.records()).contains(new LogRecord.Prepared(1, TX, PROPOSED));
    }

    /** Calls close on another thread and returns once it waits for the protocol thread, or has finished without waiting. */
    static Thread startClosing(CanaryNode node) {
        Thread closer = new Thread(node::close, "closer");
        closer.start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                .until(() -> closer.getState() == Thread.State.TIMED_WAITING || !closer.isAlive());
        return closer;
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A transport that keeps what the node sent and lets the test deliver messages to it. */
    static final class RecordingTransport implements Transport {
        final List<Message> sent = new CopyOnWriteArrayList<>();
        volatile Receiver receiver;
        volatile boolean closed;

        @Override
        public void start(String selfId, Receiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public void send(String to, Message message) {
            sent.add(message);
        }

        void deliver(String from, Message message) {
            receiver.receive(from, message);
        }

        List<Message.Vote> votes() {
            return sent.stream().filter(m -> m instanceof Message.Vote).map(m -> (Message.Vote) m).toList();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Any scheduler other than an ExecutorScheduler: close cannot know how its tasks run. */
    record Foreign(Scheduler inner) implements Scheduler {
        @Override
        public long nowMillis() {
            return inner.nowMillis();
        }

        @Override
        public void execute(Runnable task) {
            inner.execute(task);
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            return inner.schedule(delay, task);
        }
    }

    /** A log whose PREPARED append blocks until released, as a slow fsync would, and which notices a close during it. */
    static final class SlowLog implements StateLog {
        final MemoryStateLog inner = new MemoryStateLog("node-b");

        {
            inner.append(new LogRecord.TermVote(1, "node-a"), true); // in term 1 (see above)
        }
        final CountDownLatch appending = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean inAppend = new AtomicBoolean();
        volatile boolean closedDuringAppend;

        @Override
        public List<LogRecord> replay() {
            return inner.replay();
        }

        @Override
        public void append(LogRecord record, boolean durable) {
            inAppend.set(true);
            try {
                if (record instanceof LogRecord.Prepared) {
                    appending.countDown();
                    awaitQuietly(release);
                }
                inner.append(record, durable);
            } finally {
                inAppend.set(false);
            }
        }

        @Override
        public void checkpoint(List<LogRecord> records) {
            inner.checkpoint(records);
        }

        @Override
        public long recordsSinceCheckpoint() {
            return inner.recordsSinceCheckpoint();
        }

        boolean isOpen() {
            return inner.isOpen();
        }

        List<LogRecord> records() {
            return inner.records();
        }

        @Override
        public void close() {
            closedDuringAppend |= inAppend.get();
            inner.close();
        }
    }
}
